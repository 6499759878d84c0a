import { getLogger } from "@logtape/logtape";

const logger = getLogger(["weft", "init", "cgroup"]);

/**
 * Options of {@linkcode enableCgroupControllers}.
 *
 * @example
 * ```ts ignore
 * import { enableCgroupControllers, type EnableCgroupControllersOptions } from "@weft/init/cgroup-controllers";
 *
 * // Lets container runtimes limit memory and pids, and nothing else.
 * const options: EnableCgroupControllersOptions = { controllers: ["memory", "pids"] };
 * console.log(enableCgroupControllers("/sys/fs/cgroup", options));
 * ```
 */
export interface EnableCgroupControllersOptions {
  /** The controllers to enable. @default {every one listed in cgroup.controllers} */
  controllers?: readonly string[];
}

/**
 * Enables cgroup v2 controllers for the child cgroups of `dir` by writing
 * `+name` to its `cgroup.subtree_control`, one at a time so that one the
 * kernel refuses (logged) does not block the others. Container runtimes
 * create their cgroups below, and can only limit what is enabled here.
 *
 * @param dir A cgroup2 directory. @default {"/sys/fs/cgroup"}
 * @param options See {@linkcode EnableCgroupControllersOptions}.
 * @returns The controllers enabled for children afterwards.
 *
 * @example
 * ```ts ignore
 * import { enableCgroupControllers } from "@weft/init/cgroup-controllers";
 *
 * console.log(enableCgroupControllers("/sys/fs/cgroup")); // e.g. ["cpu", "memory", "pids"]
 * ```
 */
export function enableCgroupControllers(
  dir: string = "/sys/fs/cgroup",
  options: EnableCgroupControllersOptions = {},
): string[] {
  const read = (file: string): string[] => {
    try {
      return Deno.readTextFileSync(`${dir}/${file}`).split(/\s+/).filter((word) => word !== "");
    } catch (error) {
      logger.warn("Cannot read {file} in {dir}: {error}", { file, dir, error });
      return [];
    }
  };
  const enabled = new Set(read("cgroup.subtree_control"));
  for (const controller of options.controllers ?? read("cgroup.controllers")) {
    if (enabled.has(controller)) continue;
    try {
      Deno.writeTextFileSync(`${dir}/cgroup.subtree_control`, `+${controller}`);
      enabled.add(controller);
    } catch (error) {
      logger.warn("Cannot enable the {controller} controller in {dir}: {error}", {
        controller,
        dir,
        error,
      });
    }
  }
  if (enabled.size > 0) {
    logger.info("Controllers enabled in {dir}: {enabled}", { dir, enabled: [...enabled] });
  }
  return [...read("cgroup.subtree_control")];
}
