import type { Runtime } from "./runtime.ts";
import type { PluginOptionsSchema } from "./plugin_options.ts";
import {
  NoRuntimeAvailableError,
  PluginConflictError,
  PluginNotFoundError,
  PluginVersionError,
} from "./plugin_errors.ts";

/**
 * The major version of the {@linkcode Runtime} interface this package defines.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RUNTIME_API_VERSION } from "@weft/runtime";
 *
 * assert.equal(RUNTIME_API_VERSION, 1);
 * ```
 */
export const RUNTIME_API_VERSION = 1;

/**
 * The order in which `"auto"` tries the built-in runtimes; plugins not named
 * here come after, in registration order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PREFERENCE } from "@weft/runtime";
 *
 * assert.equal(DEFAULT_PREFERENCE[0], "crun");
 * ```
 */
export const DEFAULT_PREFERENCE: readonly string[] = ["crun", "runc", "youki"];

/**
 * Whether a plugin can run on this machine, and why not.
 *
 * @example
 * ```ts no-assert
 * import type { Detection } from "@weft/runtime";
 *
 * const detection: Detection = { available: false, reason: 'binary "youki" not found' };
 * ```
 */
export interface Detection {
  /** True when the plugin's binary (or whatever it needs) is there. */
  available: boolean;
  /** The binary found, when there is one. */
  binary?: string;
  /** Why the plugin is not available, for error messages. */
  reason?: string;
}

/**
 * Options handed to a plugin's factory; each plugin documents its own fields.
 *
 * @example
 * ```ts no-assert
 * import type { RuntimePluginOptions } from "@weft/runtime";
 *
 * const options: RuntimePluginOptions = { binary: "/usr/bin/runc", root: "/run/weft/runc" };
 * ```
 */
export type RuntimePluginOptions = Record<string, unknown>;

/**
 * A runtime plugin: what a runtime package registers so that callers can
 * select it by name.
 *
 * @example
 * ```ts no-assert
 * import type { RuntimePlugin } from "@weft/runtime";
 *
 * const plugin: RuntimePlugin = {
 *   name: "example",
 *   apiVersion: 1,
 *   create: () => { throw new Error("an example only"); },
 *   detect: () => Promise.resolve({ available: false, reason: "an example only" }),
 * };
 * ```
 */
export interface RuntimePlugin {
  /** The name callers select, for example `"crun"`. Unique in the registry. */
  readonly name: string;
  /** The major version of the {@linkcode Runtime} interface the plugin implements. */
  readonly apiVersion: number;
  /**
   * The options `create` and `detect` take, as a JSON Schema object (for
   * example {@linkcode OCI_CLI_OPTIONS_SCHEMA} plus the plugin's own). Hosts
   * refuse options it does not name; a plugin without it takes none.
   */
  readonly optionsSchema?: PluginOptionsSchema;
  /** Makes a runtime from plugin-specific options (binary path, state root...). */
  create(options?: RuntimePluginOptions): Runtime;
  /** Tells whether the plugin can run here with these options. */
  detect(options?: RuntimePluginOptions): Promise<Detection>;
}

// One registry per process and interface major version, even when several
// copies of this module are loaded (two versions of the package, or the same
// file under two URLs): the slot lives on globalThis under a registered symbol.
const SLOT = Symbol.for(`@weft/runtime/registry/v${RUNTIME_API_VERSION}`);

function plugins(): Map<string, RuntimePlugin> {
  const global = globalThis as unknown as Record<symbol, Map<string, RuntimePlugin> | undefined>;
  return global[SLOT] ??= new Map();
}

/**
 * Registers a runtime plugin. Runtime packages call this at the top level of
 * their `mod.ts`, so importing the package registers it.
 *
 * @throws {PluginConflictError} when a different plugin already has the name.
 * @throws {PluginVersionError} when the plugin implements another interface major version.
 *
 * @example
 * ```ts no-assert
 * import { registerRuntime, unregisterRuntime, type Runtime } from "@weft/runtime";
 *
 * registerRuntime({
 *   name: "example",
 *   apiVersion: 1,
 *   create: (): Runtime => { throw new Error("not a real runtime"); },
 *   detect: () => Promise.resolve({ available: false, reason: "an example" }),
 * });
 * unregisterRuntime("example");
 * ```
 */
export function registerRuntime(plugin: RuntimePlugin): void {
  if (plugin.apiVersion !== RUNTIME_API_VERSION) {
    throw new PluginVersionError(
      `Cannot register runtime plugin "${plugin.name}": it implements interface version ${plugin.apiVersion}, this registry is version ${RUNTIME_API_VERSION}`,
      { plugin: plugin.name, apiVersion: plugin.apiVersion },
    );
  }
  const registry = plugins();
  const existing = registry.get(plugin.name);
  // The same plugin object registered twice (a module evaluated twice under
  // one URL cannot happen, but a re-export can) is harmless.
  if (existing === plugin) return;
  if (existing) {
    throw new PluginConflictError(
      `Cannot register runtime plugin "${plugin.name}": a plugin of that name is already registered`,
      { plugin: plugin.name },
    );
  }
  registry.set(plugin.name, plugin);
}

/**
 * Removes a plugin; returns whether it was registered. Meant for tests and
 * for hosts that replace a built-in plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unregisterRuntime } from "@weft/runtime";
 *
 * assert.equal(unregisterRuntime("no-such-runtime"), false);
 * ```
 */
export function unregisterRuntime(name: string): boolean {
  return plugins().delete(name);
}

/**
 * The plugins registered, in registration order.
 *
 * @example
 * ```ts no-assert
 * import { listRuntimePlugins } from "@weft/runtime";
 *
 * console.log(listRuntimePlugins().map((plugin) => plugin.name));
 * ```
 */
export function listRuntimePlugins(): RuntimePlugin[] {
  return [...plugins().values()];
}

/**
 * The plugin registered under `name`.
 *
 * @throws {PluginNotFoundError} listing the names that are registered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getRuntimePlugin, PluginNotFoundError } from "@weft/runtime";
 *
 * try {
 *   getRuntimePlugin("no-such-runtime");
 * } catch (error) {
 *   assert.ok(error instanceof PluginNotFoundError);
 * }
 * ```
 */
export function getRuntimePlugin(name: string): RuntimePlugin {
  const plugin = plugins().get(name);
  if (plugin) return plugin;
  const known = listRuntimePlugins().map((p) => `"${p.name}"`).join(", ") || "none";
  throw new PluginNotFoundError(
    `Unknown runtime "${name}": registered runtimes are ${known}`,
    { plugin: name },
  );
}

/**
 * Options of {@linkcode selectRuntime}.
 *
 * @example
 * ```ts no-assert
 * import type { SelectRuntimeOptions } from "@weft/runtime";
 *
 * const options: SelectRuntimeOptions = { preference: ["runc", "crun"], options: { root: "/run/weft" } };
 * ```
 */
export interface SelectRuntimeOptions {
  /** Options handed to the plugin's `detect` and `create`. @default {{}} */
  options?: RuntimePluginOptions;
  /** The order `"auto"` tries plugins in. @default {DEFAULT_PREFERENCE} */
  preference?: readonly string[];
}

/**
 * The plugin `selectRuntime` would make a runtime from, with what its
 * `detect` said: the one named `name`, or with `"auto"` the first available
 * in preference order; nothing is created, so the caller can create it once
 * with options that depend on the choice (a state root named after it).
 *
 * @throws {PluginNotFoundError} for an unknown name.
 * @throws {NoRuntimeAvailableError} saying what was tried and why each failed.
 *
 * @example
 * ```ts ignore
 * import { detectRuntimePlugin } from "@weft/runtime";
 * import "@weft/crun";
 * import "@weft/runc";
 *
 * const { plugin, detection } = await detectRuntimePlugin("auto");
 * const runtime = plugin.create({ root: `/run/weft/${plugin.name}` });
 * console.log(runtime.name, detection.binary);
 * ```
 */
export async function detectRuntimePlugin(
  name: string,
  options: SelectRuntimeOptions = {},
): Promise<{ plugin: RuntimePlugin; detection: Detection }> {
  const pluginOptions = options.options ?? {};
  if (name !== "auto") {
    const plugin = getRuntimePlugin(name);
    const detection = await plugin.detect(pluginOptions);
    if (!detection.available) {
      throw new NoRuntimeAvailableError(
        `Runtime "${name}" is not available: ${detection.reason ?? "its plugin says so"}`,
        { tried: [{ name, reason: detection.reason ?? "" }] },
      );
    }
    return { plugin, detection };
  }
  const preference = options.preference ?? DEFAULT_PREFERENCE;
  const registered = listRuntimePlugins();
  const ordered = [
    ...preference.flatMap((n) => registered.filter((p) => p.name === n)),
    ...registered.filter((p) => !preference.includes(p.name)),
  ];
  const tried: { name: string; reason: string }[] = [];
  for (const plugin of ordered) {
    const detection = await plugin.detect(pluginOptions);
    if (detection.available) return { plugin, detection };
    tried.push({ name: plugin.name, reason: detection.reason ?? "not available" });
  }
  const detail = tried.length === 0
    ? "no runtime plugin is registered (import @weft/crun, @weft/runc or @weft/youki)"
    : `tried ${tried.map((t) => `${t.name} (${t.reason})`).join(", ")}`;
  throw new NoRuntimeAvailableError(`No container runtime is available: ${detail}`, { tried });
}

/**
 * Makes a runtime from the plugin named `name`, or with `"auto"` from the
 * first available plugin in preference order. The chosen plugin must be
 * available here (its binary found).
 *
 * @throws {PluginNotFoundError} for an unknown name.
 * @throws {NoRuntimeAvailableError} saying what was tried and why each failed.
 *
 * @example
 * ```ts ignore
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/crun";
 * import "@weft/runc";
 *
 * const runtime = await selectRuntime("auto");
 * console.log(`using ${runtime.name}`);
 * ```
 */
export async function selectRuntime(
  name: string,
  options: SelectRuntimeOptions = {},
): Promise<Runtime> {
  return (await detectRuntimePlugin(name, options)).plugin.create(options.options ?? {});
}
