/**
 * The runc runtime for weft. Importing this module registers the `runc`
 * plugin, so `selectRuntime("runc")` (or `"auto"`) finds it; or make a
 * {@linkcode RuncRuntime} yourself.
 *
 * @example
 * ```ts ignore
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/runc";
 *
 * const runc = await selectRuntime("runc");
 * console.log(await runc.state("web"));
 * ```
 *
 * @module
 */
import "./_register.ts";

export * from "./runc_runtime.ts";
export * from "./plugin.ts";
