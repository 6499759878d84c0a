import {
  checkPluginOptionNames,
  detectRuntimePlugin,
  getRuntimePlugin,
  loadRuntimePlugins,
  type Runtime,
} from "@weft/runtime";
import type { PodConfig } from "./config.ts";

/**
 * A runtime chosen from a pod configuration, and the state root it uses.
 *
 * @example
 * ```ts ignore
 * import "@weft/crun";
 * import "@weft/runc";
 * import { type ChosenRuntime, chooseRuntime, loadConfig } from "@weft/init";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * const { runtime, root }: ChosenRuntime = await chooseRuntime(config);
 * console.log(runtime.name, root);
 * ```
 */
export interface ChosenRuntime {
  /** The runtime, created with the state root below. */
  runtime: Runtime;
  /** The state root: `runtime.root` of the configuration, else `/run/weft/<runtime name>`. */
  root: string;
  /** The binary its plugin's detection found, when it runs one. */
  binary?: string;
}

/**
 * Options of {@linkcode chooseRuntime}.
 *
 * @example
 * ```ts ignore
 * import "@weft/crun";
 * import { chooseRuntime, type ChooseRuntimeOptions, loadConfig } from "@weft/init";
 *
 * const options: ChooseRuntimeOptions = { configFile: "/etc/weft/pod.json" };
 * const { runtime } = await chooseRuntime(await loadConfig(options.configFile!), options);
 * console.log(runtime.name);
 * ```
 */
export interface ChooseRuntimeOptions {
  /**
   * The configuration file, against which relative plugin paths are resolved.
   * @default {`${Deno.cwd()}/pod.json`}
   */
  configFile?: string;
}

/**
 * Chooses the runtime the way `weft-init` does: imports the plugin modules
 * of `runtime.plugins` (relative to the configuration file), selects
 * `runtime.name` (or the first installed with `"auto"`) with
 * `runtime.options` plus `binary` and `callTimeout`, and creates it once,
 * with its state root (which it owns from then on). The built-in plugins must be registered first (import
 * `@weft/crun` and `@weft/runc`).
 *
 * @throws {PluginLoadError} when a plugin module cannot be loaded.
 * @throws {PluginNotFoundError} for an unknown runtime name.
 * @throws {NoRuntimeAvailableError} when the runtime (or, with `"auto"`, every runtime) is missing.
 *
 * @example
 * ```ts ignore
 * import { chooseRuntime, loadConfig } from "@weft/init";
 * import "@weft/crun";
 * import "@weft/runc";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * const { runtime, root } = await chooseRuntime(config, { configFile: "/etc/weft/pod.json" });
 * console.log(runtime.name, root);
 * ```
 */
export async function chooseRuntime(
  config: PodConfig,
  options: ChooseRuntimeOptions = {},
): Promise<ChosenRuntime> {
  const file = options.configFile ?? "pod.json";
  await loadRuntimePlugins(config.runtime.plugins, {
    base: new URL(file, `file://${Deno.cwd()}/`),
  });
  const { name, binary, root: configRoot, callTimeout, options: fileOptions } = config.runtime;
  // Options the plugin does not declare are refused (before "auto" picks, for a named one).
  if (name !== "auto") checkPluginOptionNames(getRuntimePlugin(name), fileOptions);
  const pluginOptions: Record<string, unknown> = { ...fileOptions, timeout: callTimeout };
  if (binary !== undefined) pluginOptions.binary = binary;
  const { plugin, detection } = await detectRuntimePlugin(name, { options: pluginOptions });
  if (name === "auto") checkPluginOptionNames(plugin, fileOptions);
  const root = configRoot ?? `/run/weft/${plugin.name}`;
  const runtime = plugin.create({ ...pluginOptions, root });
  return { runtime, root, ...(detection.binary !== undefined && { binary: detection.binary }) };
}
