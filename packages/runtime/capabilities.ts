import type { CallOptions, ContainerStatus, Runtime } from "./runtime.ts";
import type { Stdio } from "./stdio.ts";

/**
 * What {@linkcode VersionCapability.version} reports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RuntimeVersion } from "@weft/runtime";
 *
 * const version: RuntimeVersion = { name: "crun", version: "1.8.1", text: "crun version 1.8.1" };
 * assert.ok(version.version.startsWith("1."));
 * ```
 */
export interface RuntimeVersion {
  /** The program name on the first line, for example `"crun"`. */
  name: string;
  /** The version on the first line (`<name> version X`), for example `"1.8.1"`. */
  version: string;
  /** The `commit:` line, when printed. */
  commit?: string;
  /** The `spec:` line: the OCI runtime-spec version the binary implements. */
  spec?: string;
  /** The whole output. */
  text: string;
}

/**
 * What {@linkcode FeaturesCapability.features} reports.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RuntimeFeatures } from "@weft/runtime";
 *
 * function describe(answer: RuntimeFeatures): string {
 *   return answer.supported ? Object.keys(answer.features).join(", ") : answer.reason;
 * }
 * assert.ok(describe({ supported: false, reason: "unknown command" }) === "unknown command");
 * ```
 */
export type RuntimeFeatures =
  | {
    /** The binary has the `features` command. */
    supported: true;
    /** Its parsed JSON (the runtime-spec "Features structure"). */
    features: Record<string, unknown>;
  }
  | {
    /** The binary has no `features` command (crun before 1.8.6). */
    supported: false;
    /** The binary's own answer. */
    reason: string;
  };

/**
 * One container of {@linkcode ListCapability.list}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ContainerSummary } from "@weft/runtime";
 *
 * const web: ContainerSummary = { id: "web", status: "running", pid: 4242, raw: {} };
 * assert.equal(web.status, "running");
 * ```
 */
export interface ContainerSummary {
  /** The container id. */
  id: string;
  /** Its status. */
  status: ContainerStatus;
  /** The pid of its init while created, running or paused; 0 otherwise. */
  pid: number;
  /** Absolute path of the bundle, when reported. */
  bundle?: string;
  /** Creation time as the runtime printed it (RFC 3339), when reported. */
  created?: string;
  /** The runtime's full entry. */
  raw: Record<string, unknown>;
}

/**
 * Options of {@linkcode ExecCapability.exec}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ExecOptions } from "@weft/runtime";
 *
 * const options: ExecOptions = { env: ["DEBUG=1"], cwd: "/tmp", detach: true };
 * assert.ok(options.detach);
 * ```
 */
export interface ExecOptions extends CallOptions {
  /** The process's fd 0/1/2; a missing field means /dev/null. @default {{}} */
  stdio?: Stdio;
  /** Environment entries (`NAME=value`) added to the container's. @default {[]} */
  env?: readonly string[];
  /** Working directory inside the container. @default {the container's process.cwd} */
  cwd?: string;
  /**
   * Resolve once the process has started instead of when it exits; the
   * result then carries its pid.
   * @default {false}
   */
  detach?: boolean;
}

/**
 * What {@linkcode ExecCapability.exec} gives.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ExecResult } from "@weft/runtime";
 *
 * const result: ExecResult = { code: 0, pid: 4243 };
 * assert.equal(result.code, 0);
 * ```
 */
export interface ExecResult {
  /** The process's exit code (0 for a detached process that started). */
  code: number;
  /** The process's pid, for a detached process. */
  pid?: number;
}

/**
 * A runtime that reports its version (`--version`).
 *
 * @example
 * ```ts ignore
 * import { selectRuntime, type VersionCapability } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("crun") as unknown as VersionCapability;
 * console.log((await runtime.version()).spec);
 * ```
 */
export interface VersionCapability {
  /** Runs `<binary> --version` and parses its first lines. */
  version(options?: CallOptions): Promise<RuntimeVersion>;
}

/**
 * A runtime that can answer `features`, or say it cannot.
 *
 * @example
 * ```ts ignore
 * import { type FeaturesCapability, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("runc") as unknown as FeaturesCapability;
 * const answer = await runtime.features();
 * if (answer.supported) console.log(answer.features.ociVersionMax);
 * ```
 */
export interface FeaturesCapability {
  /** Runs `features`; a binary without the command gives `{ supported: false }`. */
  features(options?: CallOptions): Promise<RuntimeFeatures>;
}

/**
 * A runtime that lists the containers of its state root.
 *
 * @example
 * ```ts ignore
 * import { type ListCapability, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("crun") as unknown as ListCapability;
 * for (const container of await runtime.list()) console.log(container.id, container.status);
 * ```
 */
export interface ListCapability {
  /** The containers in the state root, in the runtime's order. */
  list(options?: CallOptions): Promise<ContainerSummary[]>;
}

/**
 * A runtime that runs an extra process in a running container.
 *
 * @example
 * ```ts ignore
 * import { type ExecCapability, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("crun") as unknown as ExecCapability;
 * const { code } = await runtime.exec("web", ["cat", "/etc/hostname"], { stdio: { stdout: "inherit" } });
 * console.log(code);
 * ```
 */
export interface ExecCapability {
  /**
   * Runs `args` in running container `id`, with the container's process
   * settings (user, capabilities, env, cwd) from its bundle. Without
   * `detach`, resolves with the exit code once the process exits: the call's
   * timeout then bounds the process's whole run.
   */
  exec(id: string, args: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}

/**
 * A runtime that freezes and thaws every process of a container.
 *
 * @example
 * ```ts ignore
 * import { type PauseCapability, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("crun") as unknown as PauseCapability;
 * await runtime.pause("web");
 * await runtime.resume("web");
 * ```
 */
export interface PauseCapability {
  /** Freezes the container (status `paused`); needs cgroups. */
  pause(id: string, options?: CallOptions): Promise<void>;
  /** Thaws a paused container (status `running` again). */
  resume(id: string, options?: CallOptions): Promise<void>;
}

function hasMethods(runtime: Runtime, names: string[]): boolean {
  const record = runtime as unknown as Record<string, unknown>;
  return names.every((name) => typeof record[name] === "function");
}

/**
 * Whether `runtime` has {@linkcode VersionCapability.version}.
 *
 * @example
 * ```ts ignore
 * import { hasVersion, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("auto");
 * if (hasVersion(runtime)) console.log((await runtime.version()).version);
 * ```
 */
export function hasVersion(runtime: Runtime): runtime is Runtime & VersionCapability {
  return hasMethods(runtime, ["version"]);
}

/**
 * Whether `runtime` has {@linkcode FeaturesCapability.features}. The call
 * itself still says whether the binary has the command.
 *
 * @example
 * ```ts ignore
 * import { hasFeatures, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("auto");
 * if (hasFeatures(runtime)) console.log(await runtime.features());
 * ```
 */
export function hasFeatures(runtime: Runtime): runtime is Runtime & FeaturesCapability {
  return hasMethods(runtime, ["features"]);
}

/**
 * Whether `runtime` has {@linkcode ListCapability.list}.
 *
 * @example
 * ```ts ignore
 * import { hasList, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("auto");
 * if (hasList(runtime)) console.log((await runtime.list()).map((c) => c.id));
 * ```
 */
export function hasList(runtime: Runtime): runtime is Runtime & ListCapability {
  return hasMethods(runtime, ["list"]);
}

/**
 * Whether `runtime` has {@linkcode ExecCapability.exec}.
 *
 * @example
 * ```ts ignore
 * import { hasExec, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("auto");
 * if (hasExec(runtime)) await runtime.exec("web", ["sh", "-c", "kill -HUP 1"]);
 * ```
 */
export function hasExec(runtime: Runtime): runtime is Runtime & ExecCapability {
  return hasMethods(runtime, ["exec"]);
}

/**
 * Whether `runtime` has {@linkcode PauseCapability.pause} and
 * {@linkcode PauseCapability.resume}.
 *
 * @example
 * ```ts ignore
 * import { hasPause, selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("auto");
 * if (hasPause(runtime)) await runtime.pause("web");
 * ```
 */
export function hasPause(runtime: Runtime): runtime is Runtime & PauseCapability {
  return hasMethods(runtime, ["pause", "resume"]);
}
