import type { ControlSettings } from "@weft/control";
import type { ContainerSpec, PodNamespace } from "@weft/bundle";
import type { MachineConfig } from "./machine_schema.ts";

/**
 * Backoff between restarts; durations in milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BackoffConfig, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [{ id: "web", bundle: "/bundles/web", restart: { backoff: { initial: 500 } } }],
 * });
 * const backoff: BackoffConfig = config.containers[0].restart.backoff;
 * assert.ok(backoff.initial === 500 && backoff.factor === 2);
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
 * import assert from "node:assert/strict";
 * import { parseConfig, type RestartConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [{ id: "web", bundle: "/bundles/web", restart: { policy: "always" } }],
 * });
 * const restart: RestartConfig = config.containers[0].restart;
 * assert.equal(restart.policy, "always");
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
 * import assert from "node:assert/strict";
 * import { parseConfig, type StopConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [{ id: "web", bundle: "/bundles/web", stop: { signal: "INT", grace: 5000 } }],
 * });
 * const stop: StopConfig = config.containers[0].stop;
 * assert.ok(stop.signal === "INT" && stop.grace === 5000);
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
 * import assert from "node:assert/strict";
 * import type { StdioConfig } from "@weft/init";
 *
 * const toFile: StdioConfig = { file: "/var/log/web.log" };
 * const quiet: StdioConfig = "none";
 * assert.ok(typeof toFile === "object" && quiet === "none");
 * ```
 */
export type StdioConfig = "console" | "none" | StdioFileConfig;

/**
 * Container output written to files (`stdio: {"file": PATH, ...}` in a pod file).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StdioFileConfig } from "@weft/init";
 *
 * const split: StdioFileConfig = {
 *   file: "/var/log/web.out",
 *   stderrFile: "/var/log/web.err",
 *   format: "json",
 *   maxBytes: 1_048_576,
 *   maxFiles: 3,
 * };
 * assert.equal(split.format, "json");
 * ```
 */
export interface StdioFileConfig {
  /** The file appended to (both streams unless `stderrFile` is given). */
  file: string;
  /** Where stderr goes instead, when given. */
  stderrFile?: string;
  /**
   * `"text"`: the lines as written; `"json"`: one `{"time","stream","log"}` object per line.
   * @default {"text"}
   */
  format?: "text" | "json";
  /** Rotate a file before it would pass this many bytes; 0 never rotates. @default {10485760} */
  maxBytes?: number;
  /** Files kept per path, the one written included (PATH, PATH.1 ...). @default {5} */
  maxFiles?: number;
}

/**
 * One container of the pod, with every default filled in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ContainerConfig, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [
 *     { id: "db", bundle: "/bundles/db" },
 *     { id: "web", bundle: "/bundles/web", dependsOn: ["db"] },
 *   ],
 * });
 * const web: ContainerConfig = config.containers[1];
 * assert.ok(web.dependsOn[0] === "db" && web.stdio === "console");
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
 * import assert from "node:assert/strict";
 * import type { ExitCodeConfig } from "@weft/init";
 *
 * // The pod exits with the status of its "job" container.
 * const exitCode: ExitCodeConfig = { from: "container", id: "job" };
 * assert.equal(exitCode.from, "container");
 * ```
 */
export type ExitCodeConfig = { from: "container"; id: string } | { from: "first-failure" };

/**
 * When the pod ends.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { EndWhenConfig } from "@weft/init";
 *
 * // The pod ends as soon as "job" has ended, whatever the other containers do.
 * const endWhen: EndWhenConfig = { ended: ["job"] };
 * assert.equal(typeof endWhen, "object");
 * ```
 */
export type EndWhenConfig = "all-ended" | "any-ended" | { ended: string[] };

/**
 * The pod as a whole.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig, type PodSettings } from "@weft/init";
 *
 * const config = parseConfig({
 *   containers: [{ id: "job", bundle: "/bundles/job" }],
 *   pod: { endWhen: "any-ended" },
 * });
 * const pod: PodSettings = config.pod;
 * assert.ok(pod.endWhen === "any-ended" && pod.exitCode.from === "first-failure");
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
 * import assert from "node:assert/strict";
 * import { parseConfig, type RuntimeConfig } from "@weft/init";
 *
 * const config = parseConfig({
 *   runtime: { name: "crun", root: "/run/pod/crun" },
 *   containers: [{ id: "web", bundle: "/bundles/web" }],
 * });
 * const runtime: RuntimeConfig = config.runtime;
 * assert.ok(runtime.name === "crun" && runtime.noPivot === false);
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
 * import assert from "node:assert/strict";
 * import { parseConfig, type PodConfig } from "@weft/init";
 *
 * const config: PodConfig = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * assert.ok(config.containers.length === 1 && config.runtime.name === "auto");
 * ```
 */
export interface PodConfig {
  /** The runtime. */
  runtime: RuntimeConfig;
  /** The containers, in file order. */
  containers: ContainerConfig[];
  /** Pod-wide settings. */
  pod: PodSettings;
  /** The machine, when weft-init is a VM's PID 1. */
  machine?: MachineConfig;
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
 * import assert from "node:assert/strict";
 * import { ConfigError, type ConfigIssue, parseConfig } from "@weft/init";
 *
 * let issues: readonly ConfigIssue[] = [];
 * try {
 *   parseConfig({ containers: [{ id: "web" }] });
 * } catch (error) {
 *   if (error instanceof ConfigError) issues = error.issues;
 * }
 * assert.ok(issues.length > 0 && issues[0].path.startsWith("containers[0]"));
 * ```
 */
export interface ConfigIssue {
  /** The JSON path, for example `containers[1].restart.policy` (`""` for the whole document). */
  path: string;
  /** What was expected and what was found. */
  message: string;
}
