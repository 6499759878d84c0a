import { PluginError, PluginVersionError } from "./plugin_errors.ts";
import { listRuntimePlugins } from "./registry.ts";

/**
 * A plugin module could not be loaded: the file is missing, does not
 * compile, throws, registers nothing, or registers a plugin the registry
 * refuses. `specifier` is what was asked for; `cause` holds the error.
 *
 * @example
 * ```ts
 * import { PluginLoadError } from "@weft/runtime";
 *
 * const error = new PluginLoadError('Cannot load runtime plugin "./x.ts": it registered no runtime', {
 *   plugin: "./x.ts",
 * });
 * console.assert(error.plugin === "./x.ts");
 * ```
 */
export class PluginLoadError extends PluginError {
  /** Creates the error. */
  constructor(message: string, options: ErrorOptions & { plugin: string }) {
    super(message, options);
    this.name = "PluginLoadError";
  }
}

/**
 * Options of {@linkcode loadRuntimePlugins}.
 *
 * @example
 * ```ts
 * import type { LoadRuntimePluginsOptions } from "@weft/runtime";
 *
 * const options: LoadRuntimePluginsOptions = { base: "file:///etc/weft/" };
 * ```
 */
export interface LoadRuntimePluginsOptions {
  /**
   * What relative specifiers are resolved against, for example the URL of
   * the configuration file that names them.
   * @default {`file://${Deno.cwd()}/`}
   */
  base?: string | URL;
}

const loaded = new Map<string, string[]>();

function resolve(specifier: string, base: string | URL): string {
  if (/^(npm|jsr|https?|file):/.test(specifier)) return specifier;
  if (specifier.startsWith("/")) return new URL(`file://${specifier}`).href;
  return new URL(specifier, base).href;
}

/**
 * Imports runtime plugin modules so that they register themselves. A
 * specifier is a path relative to `options.base`, an absolute path, or an
 * `npm:`/`file:`/`https:` specifier. Each module must register at least one
 * runtime; the names registered are returned, in order.
 *
 * @throws {PluginLoadError} naming the specifier and the reason.
 *
 * @example
 * ```ts ignore
 * import { loadRuntimePlugins, selectRuntime } from "@weft/runtime";
 *
 * await loadRuntimePlugins(["./plugins/timed.ts"], { base: import.meta.url });
 * const runtime = await selectRuntime("timed");
 * ```
 */
export async function loadRuntimePlugins(
  specifiers: readonly string[],
  options: LoadRuntimePluginsOptions = {},
): Promise<string[]> {
  const base = options.base ?? `file://${Deno.cwd()}/`;
  const names: string[] = [];
  for (const specifier of specifiers) {
    const url = resolve(specifier, base);
    // A module is evaluated once: loading it again registers nothing new.
    const earlier = loaded.get(url);
    if (earlier) {
      names.push(...earlier);
      continue;
    }
    const before = new Set(listRuntimePlugins());
    try {
      await import(url);
    } catch (error) {
      const reason = error instanceof PluginVersionError
        ? error.message
        : `${(error as Error)?.name ?? "Error"}: ${(error as Error)?.message ?? error}`;
      throw new PluginLoadError(
        `Cannot load runtime plugin ${JSON.stringify(specifier)} (${url}): ${reason}`,
        { plugin: specifier, cause: error },
      );
    }
    const added = listRuntimePlugins().filter((plugin) => !before.has(plugin));
    if (added.length === 0) {
      throw new PluginLoadError(
        `Cannot load runtime plugin ${
          JSON.stringify(specifier)
        } (${url}): it registered no runtime (call registerRuntime() at the top level of the module)`,
        { plugin: specifier },
      );
    }
    loaded.set(url, added.map((plugin) => plugin.name));
    names.push(...loaded.get(url)!);
  }
  return names;
}
