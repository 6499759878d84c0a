import { getLogger } from "@logtape/logtape";
import { type CallOptions, hasList, type Runtime } from "@weft/runtime";
import { errorText } from "./container_run.ts";

const logger = getLogger(["weft", "init", "supervisor"]);

/**
 * Deletes what the runtime still holds of the pod's containers `ids` (left
 * by an init that died, or by a run that ended): the runtime is asked, by
 * its own list where it offers one (and about each id otherwise), never by
 * reading its state directory. Containers that are not the pod's are
 * reported and left alone. Failures are logged, never thrown.
 *
 * @example
 * ```ts ignore
 * import { chooseRuntime, deleteLeftovers, loadConfig } from "@weft/init";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * const { runtime } = await chooseRuntime(config);
 * await deleteLeftovers(runtime, config.containers.map((c) => c.id));
 * ```
 */
export async function deleteLeftovers(
  runtime: Runtime,
  ids: readonly string[],
  call: CallOptions = {},
): Promise<void> {
  let held: string[];
  try {
    if (hasList(runtime)) held = (await runtime.list(call)).map((c) => c.id);
    else {
      const states = await Promise.all(ids.map((id) => runtime.state(id, call)));
      held = ids.filter((_, i) => states[i].status !== "");
    }
  } catch (error) {
    logger.warn("Cannot list the containers of {runtime}: {error}", {
      runtime: runtime.name,
      error: errorText(error),
    });
    return;
  }
  const foreign = held.filter((id) => !ids.includes(id));
  if (foreign.length > 0) {
    logger.warn("The runtime holds containers that are not in this pod: {ids}", { ids: foreign });
  }
  await Promise.all(
    held.filter((id) => ids.includes(id)).map(async (id) => {
      logger.info("Deleting leftover runtime state of {container}", { container: id });
      await runtime.delete(id, { force: true, ...call }).catch((error) =>
        logger.error("Cannot delete leftover container {container}: {error}", {
          container: id,
          error: errorText(error),
        })
      );
    }),
  );
}
