import { getLogger } from "@logtape/logtape";
import { validateContainerId } from "@weft/runtime";
import type { ContainerSpec } from "./container_spec.ts";
import { ContainerSpecError } from "./errors.ts";
import { generateConfig, type GenerateConfigOptions } from "./generate_config.ts";
import type { OciConfig } from "./oci_config.ts";

/**
 * A bundle written by {@linkcode writeBundle}; `await using` removes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type WrittenBundle, writeBundle } from "@weft/bundle";
 *
 * const rootfs = await Deno.makeTempDir();
 * const run = await Deno.makeTempDir();
 * {
 *   await using bundle: WrittenBundle = await writeBundle(`${run}/web`, { rootfs, process: { args: ["sh"] } });
 *   assert.ok((await Deno.stat(`${bundle.dir}/config.json`)).isFile);
 * }
 * await Deno.remove(rootfs);
 * await Deno.remove(run, { recursive: true });
 * ```
 */
export interface WrittenBundle extends AsyncDisposable {
  /** Absolute path of the bundle directory (it holds `config.json` only). */
  readonly dir: string;
  /** The config written to `config.json`. */
  readonly config: OciConfig;
  /** Removes the bundle directory ({@linkcode removeBundle}). */
  remove(): Promise<void>;
}

const logger = getLogger(["weft", "bundle"]);

/**
 * The bundle directory of container `id` under the run directory `runDir`:
 * `<runDir>/bundles/<id>`. The id is checked as the runtimes check it, so it
 * cannot climb out of `runDir`.
 *
 * @throws {InvalidArgumentError} for a relative `runDir` or a bad id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bundleDirFor } from "@weft/bundle";
 *
 * assert.ok(bundleDirFor("/run/weft", "web") === "/run/weft/bundles/web");
 * ```
 */
export function bundleDirFor(runDir: string, id: string): string {
  if (typeof runDir !== "string" || !runDir.startsWith("/")) {
    throw new ContainerSpecError({ field: "runDir", expected: "an absolute path", value: runDir });
  }
  validateContainerId(id);
  return `${runDir.replace(/\/+$/, "")}/bundles/${id}`;
}

/**
 * Generates the config of `spec` ({@linkcode generateConfig}: every check
 * runs first, so a bad spec leaves nothing on disk) and writes it as
 * `<dir>/config.json`, creating `dir` (mode 0700) and its parents. The rootfs
 * stays where it is: the config refers to it by absolute path.
 *
 * @throws {ContainerSpecError} naming the field of a bad spec.
 *
 * @example
 * ```ts ignore
 * import { bundleDirFor, writeBundle } from "@weft/bundle";
 * import { selectRuntime } from "@weft/runtime";
 *
 * const bundle = await writeBundle(bundleDirFor("/run/weft", "web"), {
 *   rootfs: "/srv/images/web/rootfs",
 *   process: { args: ["httpd", "-f"] },
 * }, { id: "web" });
 * const runtime = await selectRuntime("auto");
 * await runtime.create("web", bundle.dir);
 * // ... later, once the container is deleted:
 * await bundle.remove();
 * ```
 */
export async function writeBundle(
  dir: string,
  spec: ContainerSpec | unknown,
  options: GenerateConfigOptions = {},
): Promise<WrittenBundle> {
  if (typeof dir !== "string" || !dir.startsWith("/")) {
    throw new ContainerSpecError({ field: "dir", expected: "an absolute path", value: dir });
  }
  const config = await generateConfig(spec, options);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  // Written aside then renamed, so a runtime never reads a half-written config.
  const temporary = `${dir}/.config.json.tmp`;
  await Deno.writeTextFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await Deno.rename(temporary, `${dir}/config.json`);
  logger.debug("Wrote bundle {dir}", { dir });
  const remove = () => removeBundle(dir);
  return { dir, config, remove, [Symbol.asyncDispose]: remove };
}

/**
 * Removes a bundle directory written by {@linkcode writeBundle}: its
 * `config.json`, then the directory itself, which must then be empty (never
 * a recursive delete, so a wrong path cannot take a rootfs or a volume with
 * it). A directory that is already gone is not an error.
 *
 * @example
 * ```ts ignore
 * import { removeBundle } from "@weft/bundle";
 *
 * await removeBundle("/run/weft/bundles/web");
 * ```
 */
export async function removeBundle(dir: string): Promise<void> {
  for (const file of [`${dir}/config.json`, `${dir}/.config.json.tmp`]) {
    await Deno.remove(file).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  await Deno.remove(dir).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  logger.debug("Removed bundle {dir}", { dir });
}
