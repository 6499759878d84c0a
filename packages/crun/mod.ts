/**
 * The crun runtime for weft. Importing this module registers the `crun`
 * plugin, so `selectRuntime("crun")` (or `"auto"`) finds it; or make a
 * {@linkcode CrunRuntime} yourself.
 *
 * @example
 * ```ts ignore
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/crun";
 *
 * const crun = await selectRuntime("crun", { options: { cgroupManager: "disabled" } });
 * console.log(await crun.state("web"));
 * ```
 *
 * @module
 */
import "./_register.ts";

export * from "./crun_runtime.ts";
export * from "./plugin.ts";
