import { brandErrorClass } from "./error_brand.ts";
import { InvalidArgumentError } from "./errors.ts";
import { PluginError, PluginVersionError } from "./plugin_errors.ts";
import { listRuntimePlugins, RUNTIME_API_VERSION } from "./registry.ts";

/**
 * A plugin module could not be loaded: the file is missing, does not
 * compile, throws, registers nothing, or registers a plugin the registry
 * refuses. `specifier` is what was asked for; `cause` holds the error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PluginLoadError } from "@weft/runtime";
 *
 * const error = new PluginLoadError('Cannot load runtime plugin "./x.ts": it registered no runtime', {
 *   plugin: "./x.ts",
 * });
 * assert.equal(error.plugin, "./x.ts");
 * ```
 */
export class PluginLoadError extends PluginError {
  static {
    brandErrorClass(this, "PluginLoadError");
  }
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
 * ```ts no-assert
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
 * Why an import failed, in words: Deno reports a missing module and a
 * syntax error both as a TypeError, which says nothing to a user.
 */
function importFailure(error: unknown): string {
  if (error instanceof PluginError) return error.message;
  const name = (error as Error)?.name ?? "Error";
  const message = String((error as Error)?.message ?? error);
  if (error instanceof TypeError && /^Module not found/.test(message)) {
    return `the module does not exist (${message.replace(/\.$/, "")})`;
  }
  // Deno wraps parse errors as `TypeError: SyntaxError: ...`.
  if (/^SyntaxError: /.test(message)) return `the module does not parse: ${message}`;
  if (error instanceof SyntaxError) return `the module does not parse: ${name}: ${message}`;
  return `the module threw while loading: ${name}: ${message}`;
}

// The registries of other interface major versions (see registry.ts): a
// plugin built against another major version of this package registers
// there, and would otherwise look as if it registered nothing.
function otherRegistries(): Map<number, Set<string>> {
  const global = globalThis as unknown as Record<symbol, Map<string, unknown> | undefined>;
  const found = new Map<number, Set<string>>();
  for (let version = 0; version <= RUNTIME_API_VERSION + 8; version++) {
    if (version === RUNTIME_API_VERSION) continue;
    const registry = global[Symbol.for(`@weft/runtime/registry/v${version}`)];
    if (registry) found.set(version, new Set(registry.keys()));
  }
  return found;
}

/**
 * Imports runtime plugin modules so that they register themselves. A
 * specifier is a path relative to `options.base`, an absolute path, or an
 * `npm:`/`file:`/`https:` specifier; a local one must be a regular file
 * (a FIFO or device is refused unread: the error's `cause` is then an
 * `InvalidArgumentError` whose `argument` is `plugins[INDEX]`). Each module must register at least
 * one runtime; the names registered are returned, in order.
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
  for (const [index, specifier] of specifiers.entries()) {
    const url = resolve(specifier, base);
    // A module is evaluated once: loading it again registers nothing new.
    const earlier = loaded.get(url);
    if (earlier) {
      names.push(...earlier);
      continue;
    }
    const before = new Set(listRuntimePlugins());
    const othersBefore = otherRegistries();
    const fail = (reason: string, cause?: unknown): never => {
      throw new PluginLoadError(
        `Cannot load runtime plugin ${JSON.stringify(specifier)} (${url}): ${reason}`,
        { plugin: specifier, cause },
      );
    };
    // Importing a FIFO or a device would hang the process (or fill its memory).
    const info = url.startsWith("file:")
      ? await Deno.stat(new URL(url)).catch(() => undefined)
      : undefined;
    if (info !== undefined && !info.isFile) {
      const reason =
        "expected a module file, but it is not a regular file (a directory, FIFO or device)";
      // The cause names the refused argument, for a host that words it as its own input's fault.
      fail(
        reason,
        new InvalidArgumentError(`Invalid plugin ${JSON.stringify(specifier)}: ${reason}`, {
          argument: `plugins[${index}]`,
          value: specifier,
          reason,
        }),
      );
    }
    let module: Record<string, unknown> = {};
    try {
      module = await import(url);
    } catch (error) {
      fail(importFailure(error), error);
    }
    let added = listRuntimePlugins().filter((plugin) => !before.has(plugin));
    if (added.length === 0) {
      // Imported earlier (statically, say): it registered then. The plugins
      // it exports that are registered are its own.
      const registered = listRuntimePlugins();
      added = registered.filter((plugin) => Object.values(module).includes(plugin));
    }
    if (added.length === 0) {
      for (const [version, registered] of otherRegistries()) {
        const foreign = [...registered].filter((n) => !othersBefore.get(version)?.has(n));
        if (foreign.length === 0) continue;
        const plugin = foreign.join(", ");
        fail(
          `it registered ${
            foreign.map((n) => JSON.stringify(n)).join(", ")
          } with interface version ${version}, this loader is version ${RUNTIME_API_VERSION} (it imports another major version of @weft/runtime)`,
          new PluginVersionError(
            `Runtime plugin "${plugin}" implements interface version ${version}`,
            {
              plugin,
              apiVersion: version,
            },
          ),
        );
      }
      fail("it registered no runtime (call registerRuntime() at the top level of the module)");
    }
    loaded.set(url, added.map((plugin) => plugin.name));
    names.push(...loaded.get(url)!);
  }
  return names;
}
