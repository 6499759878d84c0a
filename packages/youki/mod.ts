/**
 * youki (https://github.com/youki-dev/youki) for weft. Importing this module
 * registers the `youki` plugin, so `selectRuntime("youki")` (or `"auto"`)
 * finds it; or make a {@linkcode YoukiRuntime} yourself. youki's
 * differences from runc are handled: no `--rootless`, signals 1-31 sent by
 * name, stale pids dropped from `state`, `list` parsed from its table.
 *
 * @example Select youki by name
 * ```ts ignore
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/youki";
 *
 * const youki = await selectRuntime("youki", { options: { root: "/run/weft/youki" } });
 * console.log(await youki.state("web"));
 * ```
 *
 * @module
 */
import "./_register.ts";

export * from "./youki_runtime.ts";
export * from "./list_table.ts";
export * from "./plugin.ts";
