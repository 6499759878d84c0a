import {
  CONTAINER_SPEC_FIELDS,
  type ContainerSpec,
  ContainerSpecError,
  generateConfig,
  parseContainerSpec,
  POD_NAMESPACES,
  type PodNamespace,
} from "@weft/bundle";
import type { ControlSettings } from "@weft/control";
import { parseSignal } from "@weft/runtime";
import { childPath, type SchemaIssue, validateNode } from "./_schema_node.ts";
import { POD_CONFIG_SCHEMA } from "./config_schema.ts";
import { dependencyIssues } from "./pod_graph.ts";

/**
 * Backoff between restarts; durations in milliseconds.
 *
 * @example
 * ```ts
 * import { type BackoffConfig, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [{ id: "web", bundle: "/bundles/web", restart: { backoff: { initial: 500 } } }],
 * });
 * const backoff: BackoffConfig = config.containers[0].restart.backoff;
 * console.assert(backoff.initial === 500 && backoff.factor === 2);
 * ```
 */
export interface BackoffConfig {
  /** Delay before the first restart. */
  initial: number;
  /** Each further delay is the previous one times this. */
  factor: number;
  /** The longest delay. */
  cap: number;
  /** A run at least this long resets the delay and the start count. */
  resetAfter: number;
}

/**
 * When a container is started again.
 *
 * @example
 * ```ts
 * import { parseConfig, type RestartConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [{ id: "web", bundle: "/bundles/web", restart: { policy: "always" } }],
 * });
 * const restart: RestartConfig = config.containers[0].restart;
 * console.assert(restart.policy === "always");
 * ```
 */
export interface RestartConfig {
  /** `never`, `on-failure` (status not 0) or `always`. */
  policy: "never" | "on-failure" | "always";
  /** Statuses never restarted, whatever the policy. */
  neverRestartExitCodes: number[];
  /** Statuses always restarted, whatever the policy. */
  alwaysRestartExitCodes: number[];
  /** Delays between restarts. */
  backoff: BackoffConfig;
  /** Unstable starts in a row before the container is marked failed (0: no limit). */
  startLimit: number;
}

/**
 * How a container is stopped.
 *
 * @example
 * ```ts
 * import { parseConfig, type StopConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [{ id: "web", bundle: "/bundles/web", stop: { signal: "INT", grace: 5000 } }],
 * });
 * const stop: StopConfig = config.containers[0].stop;
 * console.assert(stop.signal === "INT" && stop.grace === 5000);
 * ```
 */
export interface StopConfig {
  /** The first signal, as written in the file (`"TERM"`, `15`...). */
  signal: string | number;
  /** Milliseconds before KILL. */
  grace: number;
}

/**
 * Where a container's output goes.
 *
 * @example
 * ```ts
 * import type { StdioConfig } from "@weft/init";
 *
 * const toFile: StdioConfig = { file: "/var/log/web.log" };
 * const quiet: StdioConfig = "none";
 * console.assert(typeof toFile === "object" && quiet === "none");
 * ```
 */
export type StdioConfig = "console" | "none" | { file: string };

/**
 * One container of the pod, with every default filled in.
 *
 * @example
 * ```ts
 * import { type ContainerConfig, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [
 *     { id: "db", bundle: "/bundles/db" },
 *     { id: "web", bundle: "/bundles/web", dependsOn: ["db"] },
 *   ],
 * });
 * const web: ContainerConfig = config.containers[1];
 * console.assert(web.dependsOn[0] === "db" && web.stdio === "console");
 * ```
 */
export interface ContainerConfig {
  /** The container id. */
  id: string;
  /** Absolute path of its OCI bundle; absent when weft-init generates one from `spec`. */
  bundle?: string;
  /**
   * The container by its rootfs and process (`@weft/bundle`), when it gives
   * `rootfs` instead of `bundle`: weft-init writes its bundle before each
   * create and removes it after each delete.
   */
  spec?: ContainerSpec;
  /** With `spec`: the pod container whose namespaces it joins (also one of `dependsOn`). */
  shareNamespacesWith?: string;
  /** The namespaces `shareNamespacesWith` joins. */
  shareNamespaces?: PodNamespace[];
  /** Its restart policy. */
  restart: RestartConfig;
  /** How it is stopped. */
  stop: StopConfig;
  /** Where its output goes (file paths absolute). */
  stdio: StdioConfig;
  /** Containers that must be running before it is created. */
  dependsOn: string[];
}

/**
 * How the pod's exit code is decided.
 *
 * @example
 * ```ts
 * import type { ExitCodeConfig } from "@weft/init";
 *
 * // The pod exits with the status of its "job" container.
 * const exitCode: ExitCodeConfig = { from: "container", id: "job" };
 * console.assert(exitCode.from === "container");
 * ```
 */
export type ExitCodeConfig = { from: "container"; id: string } | { from: "first-failure" };

/**
 * When the pod ends.
 *
 * @example
 * ```ts
 * import type { EndWhenConfig } from "@weft/init";
 *
 * // The pod ends as soon as "job" has ended, whatever the other containers do.
 * const endWhen: EndWhenConfig = { ended: ["job"] };
 * console.assert(typeof endWhen === "object");
 * ```
 */
export type EndWhenConfig = "all-ended" | "any-ended" | { ended: string[] };

/**
 * The pod as a whole.
 *
 * @example
 * ```ts
 * import { parseConfig, type PodSettings } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [{ id: "job", bundle: "/bundles/job" }],
 *   pod: { endWhen: "any-ended" },
 * });
 * const pod: PodSettings = config.pod;
 * console.assert(pod.endWhen === "any-ended" && pod.exitCode.from === "first-failure");
 * ```
 */
export interface PodSettings {
  /** Milliseconds the whole stop may take. */
  stopGrace: number;
  /** How the exit code is decided. */
  exitCode: ExitCodeConfig;
  /** When the pod ends. */
  endWhen: EndWhenConfig;
}

/**
 * The runtime section.
 *
 * @example
 * ```ts
 * import { parseConfig, type RuntimeConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   runtime: { name: "crun", root: "/run/pod/crun" },
 *   containers: [{ id: "web", bundle: "/bundles/web" }],
 * });
 * const runtime: RuntimeConfig = config.runtime;
 * console.assert(runtime.name === "crun" && runtime.noPivot === false);
 * ```
 */
export interface RuntimeConfig {
  /** A registered runtime name, or `"auto"`. */
  name: string;
  /** The runtime binary, when not found by name in PATH. */
  binary?: string;
  /** The state root (absolute); when absent, `/run/weft/<runtime name>`. */
  root?: string;
  /** Milliseconds each runtime call may take. */
  callTimeout: number;
  /** Create without pivot_root (initramfs roots). */
  noPivot: boolean;
  /** Runtime-specific plugin options. */
  options: Record<string, unknown>;
  /** Plugin modules to import first, resolved against the config file. */
  plugins: string[];
}

/**
 * A validated pod configuration with every default filled in.
 *
 * @example
 * ```ts
 * import { parseConfig, type PodConfig } from "@weft/init";
 *
 * const config: PodConfig = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * console.assert(config.containers.length === 1 && config.runtime.name === "auto");
 * ```
 */
export interface PodConfig {
  /** The runtime. */
  runtime: RuntimeConfig;
  /** The containers, in file order. */
  containers: ContainerConfig[];
  /** Pod-wide settings. */
  pod: PodSettings;
  /** Absolute path of the status file. */
  statusFile: string;
  /** The control API, when the file has a `control` section. */
  control?: ControlSettings;
}

/**
 * One problem in a pod configuration.
 *
 * @example
 * ```ts
 * import { ConfigError, type ConfigIssue, parseConfig } from "@weft/init";
 *
 * let issues: readonly ConfigIssue[] = [];
 * try {
 *   parseConfig({ containers: [{ id: "web" }] });
 * } catch (error) {
 *   if (error instanceof ConfigError) issues = error.issues;
 * }
 * console.assert(issues.length > 0 && issues[0].path.startsWith("containers[0]"));
 * ```
 */
export interface ConfigIssue {
  /** The JSON path, for example `containers[1].restart.policy` (`""` for the whole document). */
  path: string;
  /** What was expected and what was found. */
  message: string;
}

/**
 * A configuration file that cannot be used: unreadable, not JSON, or not
 * valid. `issues` lists every problem with its JSON path.
 *
 * @example
 * ```ts
 * import { ConfigError, parseConfig } from "@weft/init";
 *
 * try {
 *   parseConfig({ containers: [{ id: "web", bundle: "/b", restart: { policy: "sometimes" } }] });
 * } catch (error) {
 *   console.assert(error instanceof ConfigError);
 *   console.assert((error as ConfigError).issues[0].path === "containers[0].restart.policy");
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Every problem found, each with its JSON path. */
  readonly issues: readonly ConfigIssue[];
  /** The file, when the configuration came from one. */
  readonly file?: string;
  /** Creates the error. */
  constructor(message: string, options: ErrorOptions & { issues?: ConfigIssue[]; file?: string }) {
    super(message, options);
    this.name = "ConfigError";
    this.issues = options.issues ?? [];
    this.file = options.file;
  }
}

/**
 * Options of {@linkcode parseConfig}.
 *
 * @example
 * ```ts
 * import { parseConfig, type ParseConfigOptions } from "@weft/init";
 *
 * const options: ParseConfigOptions = { baseDir: "/etc/weft", file: "/etc/weft/pod.json" };
 * const config = parseConfig({ containers: [{ id: "web", bundle: "bundles/web" }] }, options);
 * console.assert(config.containers[0].bundle === "/etc/weft/bundles/web");
 * ```
 */
export interface ParseConfigOptions {
  /** Directory relative paths (bundles, log files, status file) are resolved against. @default {Deno.cwd()} */
  baseDir?: string;
  /** Named in messages. @default {undefined} */
  file?: string;
}

function absolute(path: string, baseDir: string): string {
  if (path.startsWith("/")) return path;
  return `${baseDir.replace(/\/+$/, "")}/${path}`.replace(/\/\.\//g, "/");
}

function semanticIssues(config: PodConfig): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const index = new Map<string, number>();
  config.containers.forEach((container, i) => {
    const path = childPath("containers", i);
    if (index.has(container.id)) {
      issues.push({
        path: childPath(path, "id"),
        message: `duplicate container id "${container.id}" (also containers[${
          index.get(container.id)
        }])`,
      });
    } else index.set(container.id, i);
    issues.push(...specIssues(container, path));
    try {
      parseSignal(container.stop.signal);
    } catch {
      issues.push({
        path: `${path}.stop.signal`,
        message: `expected a signal name like "TERM" or a number in 1-31 or 34-64, got ${
          JSON.stringify(container.stop.signal)
        }`,
      });
    }
    const never = new Set(container.restart.neverRestartExitCodes);
    container.restart.alwaysRestartExitCodes.forEach((code, j) => {
      if (never.has(code)) {
        issues.push({
          path: `${path}.restart.alwaysRestartExitCodes[${j}]`,
          message: `exit code ${code} is also in neverRestartExitCodes`,
        });
      }
    });
  });
  config.containers.forEach((container, i) => {
    const partner = container.shareNamespacesWith;
    if (partner !== undefined && (!index.has(partner) || partner === container.id)) {
      issues.push({
        path: `containers[${i}].shareNamespacesWith`,
        message: partner === container.id
          ? "a container cannot join its own namespaces"
          : `unknown container "${partner}"`,
      });
    }
  });
  issues.push(...dependencyIssues(config.containers));
  const { exitCode, endWhen } = config.pod;
  if (exitCode.from === "container" && !index.has(exitCode.id)) {
    issues.push({ path: "pod.exitCode.id", message: `unknown container "${exitCode.id}"` });
  }
  if (typeof endWhen === "object") {
    endWhen.ended.forEach((id, j) => {
      if (!index.has(id)) {
        issues.push({ path: `pod.endWhen.ended[${j}]`, message: `unknown container "${id}"` });
      }
    });
  }
  return issues;
}

/** The spec fields a container may give with `rootfs` (`pod` is shareNamespacesWith here). */
const SPEC_FIELDS = CONTAINER_SPEC_FIELDS.filter((field) => field !== "pod");

function specFields(container: ContainerConfig): Record<string, unknown> {
  const raw = container as unknown as Record<string, unknown>;
  return Object.fromEntries(
    SPEC_FIELDS.filter((field) => raw[field] !== undefined).map((field) => [field, raw[field]]),
  );
}

/** What @weft/bundle refuses in a rootfs container, as issues with the same JSON paths. */
function specIssues(container: ContainerConfig, path: string): SchemaIssue[] {
  const fields = specFields(container);
  if (fields.rootfs === undefined) {
    return [...Object.keys(fields), "shareNamespacesWith", "shareNamespaces"]
      .filter((field) => (container as unknown as Record<string, unknown>)[field] !== undefined)
      .map((field) => ({
        path: `${path}.${field}`,
        message: "only allowed with rootfs (a bundle has its own config.json)",
      }));
  }
  if (container.shareNamespacesWith !== undefined) {
    // A stand-in pid: the real one is known when the container is created.
    fields.pod = { pid: 1, share: container.shareNamespaces ?? [...POD_NAMESPACES] };
  }
  const issues: SchemaIssue[] = [];
  try {
    const spec = parseContainerSpec(fields, { path });
    const command = spec.process?.args ?? spec.process?.entrypoint ?? [];
    if (spec.imageConfig === undefined && command.length === 0) {
      issues.push({
        path: `${path}.process.args`,
        message: "expected a command: process.args, process.entrypoint or an imageConfig",
      });
    }
  } catch (error) {
    if (!(error instanceof ContainerSpecError)) throw error;
    issues.push({
      path: error.field,
      message: `expected ${error.expected}, got ${JSON.stringify(error.value)}`,
    });
  }
  if (container.shareNamespaces !== undefined && container.shareNamespacesWith === undefined) {
    issues.push({
      path: `${path}.shareNamespaces`,
      message: "only allowed with shareNamespacesWith",
    });
  }
  return issues;
}

function invalid(issues: SchemaIssue[], file: string | undefined): ConfigError {
  const where = file === undefined
    ? "Invalid pod configuration"
    : `Invalid pod configuration "${file}"`;
  const lines = issues.map((issue) => `${issue.path || "(root)"}: ${issue.message}`);
  const message = lines.length === 1
    ? `${where}: ${lines[0]}`
    : `${where}:\n  ${lines.join("\n  ")}`;
  return new ConfigError(message, { issues, file });
}

/**
 * Validates a parsed configuration document and fills in every default.
 * Relative paths are resolved against `options.baseDir`.
 *
 * @throws {ConfigError} listing every problem with its JSON path.
 *
 * @example
 * ```ts
 * import { parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "bundles/web" }] }, {
 *   baseDir: "/etc/weft",
 * });
 * console.assert(config.containers[0].bundle === "/etc/weft/bundles/web");
 * console.assert(config.containers[0].restart.backoff.initial === 100);
 * ```
 */
export function parseConfig(document: unknown, options: ParseConfigOptions = {}): PodConfig {
  const issues: SchemaIssue[] = [];
  const config = validateNode(POD_CONFIG_SCHEMA, document, "", issues) as PodConfig & {
    $schema?: string;
  };
  if (issues.length > 0) throw invalid(issues, options.file);
  const ids = new Set(config.containers.map((container) => container.id));
  for (const container of config.containers) {
    // The container whose namespaces are joined must run first.
    const partner = container.shareNamespacesWith;
    if (partner !== undefined && partner !== container.id && ids.has(partner)) {
      if (!container.dependsOn.includes(partner)) container.dependsOn.push(partner);
    }
  }
  const semantic = semanticIssues(config);
  if (semantic.length > 0) throw invalid(semantic, options.file);
  const baseDir = options.baseDir ?? Deno.cwd();
  delete config.$schema;
  for (const container of config.containers) {
    if (container.bundle !== undefined) container.bundle = absolute(container.bundle, baseDir);
    const fields = specFields(container);
    if (fields.rootfs !== undefined) {
      for (const field of Object.keys(fields)) {
        delete (container as unknown as Record<string, unknown>)[field];
      }
      container.spec = parseContainerSpec(fields);
      if (container.shareNamespacesWith !== undefined) {
        container.shareNamespaces ??= [...POD_NAMESPACES];
      }
    }
    if (typeof container.stdio === "object") {
      container.stdio = { file: absolute(container.stdio.file, baseDir) };
    }
  }
  config.statusFile = absolute(config.statusFile, baseDir);
  if (config.control) config.control.socket = absolute(config.control.socket, baseDir);
  if (config.runtime.root !== undefined) {
    config.runtime.root = absolute(config.runtime.root, baseDir);
  }
  return config;
}

/**
 * Reads, parses and validates a pod configuration file. Relative paths in it
 * are resolved against the file's directory.
 *
 * @throws {ConfigError} when the file cannot be read, is not JSON, or is not valid.
 *
 * @example
 * ```ts ignore
 * import { loadConfig } from "@weft/init";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * console.log(config.containers.map((c) => c.id));
 * ```
 */
export async function loadConfig(file: string): Promise<PodConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
    throw new ConfigError(`Cannot read pod configuration "${file}": ${why}`, {
      file,
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `Cannot parse pod configuration "${file}": ${(error as Error).message}`,
      { file, cause: error },
    );
  }
  const path = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
  const config = parseConfig(document, {
    file,
    baseDir: path.slice(0, path.lastIndexOf("/")) || "/",
  });
  await checkRootfsContainers(config, file);
  return config;
}

/**
 * Runs the filesystem checks of @weft/bundle on every container given by
 * `rootfs` (the rootfs exists, users resolve in its /etc/passwd, the image
 * config reads, bind sources exist), so that a bad path stops weft-init
 * before any container runs rather than failing one container later.
 */
async function checkRootfsContainers(config: PodConfig, file: string): Promise<void> {
  const issues: SchemaIssue[] = [];
  for (const [i, container] of config.containers.entries()) {
    if (container.spec === undefined) continue;
    try {
      await generateConfig(container.spec, { path: childPath("containers", i), id: container.id });
    } catch (error) {
      if (!(error instanceof ContainerSpecError)) throw error;
      issues.push({
        path: error.field,
        message: `expected ${error.expected}, got ${JSON.stringify(error.value)}`,
      });
    }
  }
  if (issues.length > 0) throw invalid(issues, file);
}
