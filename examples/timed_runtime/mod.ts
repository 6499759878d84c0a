/**
 * An example third-party runtime plugin: `"timed"` wraps another registered
 * runtime and records the duration and outcome of every call, to compare
 * runtimes or to find a slow one. Importing this module registers it.
 *
 * @example Load it as a plugin and select it by name
 * ```ts ignore
 * import { loadRuntimePlugins, selectRuntime } from "@weft/runtime";
 * import "@weft/runc";
 *
 * await loadRuntimePlugins(["./examples/timed_runtime/mod.ts"]);
 * const runtime = await selectRuntime("timed", { options: { inner: "runc" } });
 * ```
 *
 * @module
 */
export * from "./timed_runtime.ts";
export * from "./plugin.ts";
