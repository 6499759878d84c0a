/**
 * youki (https://github.com/youki-dev/youki) for weft: importing this module
 * registers the `"youki"` runtime plugin, and {@linkcode YoukiRuntime} drives
 * youki's runc-compatible CLI with youki's differences handled (no
 * `--rootless`, signals 1-31 sent by name, stale pids dropped from `state`,
 * `list` parsed from its table).
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
export * from "./youki_runtime.ts";
export * from "./list_table.ts";
export * from "./plugin.ts";
