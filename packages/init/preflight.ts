import { generateConfig } from "@weft/bundle";
import { InvalidArgumentError, PluginLoadError, validateBundleDir } from "@weft/runtime";
import { childPath, type Issue, quote } from "./_issues.ts";
import { specIssue } from "./_config_rules.ts";
import { ConfigError, type PodConfig } from "./config.ts";
import { chooseRuntime, type ChosenRuntime } from "./runtime_choice.ts";

/**
 * Options of {@linkcode preflight}.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import type { PreflightOptions } from "@weft/init";
 *
 * const options: PreflightOptions = { configFile: "/etc/weft/pod.json" };
 * strictEqual(options.configFile, "/etc/weft/pod.json");
 * ```
 */
export interface PreflightOptions {
  /**
   * The pod file: named in errors, and relative plugin paths are resolved
   * against it.
   * @default {`${Deno.cwd()}/pod.json`}
   */
  configFile?: string;
}

/**
 * What {@linkcode preflight} found usable: the runtime, its state root and binary.
 *
 * @example
 * ```ts ignore
 * import { loadConfig, preflight, type PreflightReport } from "@weft/init";
 *
 * const report: PreflightReport = await preflight(await loadConfig("/etc/weft/pod.json"));
 * console.log(report.runtime.name, report.binary, report.root);
 * ```
 */
export interface PreflightReport extends ChosenRuntime {
  /** The runtime binary found (for runtimes that run one). */
  binary?: string;
}

/** Every container's bundle (a directory with a config.json) or rootfs spec, checked on disk. */
async function containerIssues(config: PodConfig): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (const [i, container] of config.containers.entries()) {
    const path = childPath("containers", i);
    if (container.bundle !== undefined) {
      try {
        await validateBundleDir(container.bundle);
      } catch (error) {
        if (!(error instanceof InvalidArgumentError)) throw error;
        issues.push({
          path: childPath(path, "bundle"),
          message: `expected an OCI bundle directory holding config.json, got ${
            quote(container.bundle)
          }: ${error.reason ?? error.message}`,
        });
      }
    } else if (container.spec !== undefined) {
      try {
        // The same checks as when the bundle is written, without writing it:
        // the rootfs exists, users resolve in its /etc/passwd, the image
        // config reads, bind sources exist.
        await generateConfig(container.spec, { path, id: container.id });
      } catch (error) {
        issues.push(specIssue(error));
      }
    }
  }
  return issues;
}

/**
 * Everything weft-init checks before any container starts, which
 * `weft-init validate` runs too, so both give the same verdict: every
 * bundle is a directory holding `config.json`, every rootfs container's spec
 * passes @weft/bundle's checks on disk, the plugin modules load, the
 * runtime's plugin takes `runtime.options` (no option it does not declare,
 * and values it accepts), and the runtime is installed.
 *
 * @throws {ConfigError} for a problem of the pod file, with its JSON path
 * (`containers[1].bundle: ...`, `runtime.options.nmae: ...`).
 * @throws {PluginLoadError} when a plugin module cannot be loaded.
 * @throws {PluginNotFoundError} for an unknown runtime name.
 * @throws {NoRuntimeAvailableError} when the runtime is not installed.
 *
 * @example
 * ```ts ignore
 * import "@weft/crun";
 * import { loadConfig, preflight } from "@weft/init";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * const { runtime, root, binary } = await preflight(config, { configFile: "/etc/weft/pod.json" });
 * console.log(runtime.name, binary, root);
 * ```
 */
export async function preflight(
  config: PodConfig,
  options: PreflightOptions = {},
): Promise<PreflightReport> {
  const file = options.configFile;
  const issues = await containerIssues(config);
  if (issues.length > 0) throw ConfigError.fromIssues(issues, file);
  try {
    return await chooseRuntime(config, { configFile: file });
  } catch (error) {
    // The loader or the plugin refused a field of the file (a plugin path
    // that is not a module file, an option): a problem of the pod file.
    const refused = error instanceof PluginLoadError && error.cause instanceof InvalidArgumentError
      ? error.cause
      : error;
    if (!(refused instanceof InvalidArgumentError)) throw error;
    const message = refused.message.length > 300
      ? `${refused.message.slice(0, 300)}...`
      : refused.message;
    throw ConfigError.fromIssues([{ path: `runtime.${refused.argument}`, message }], file);
  }
}
