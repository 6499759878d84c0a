import type { ExitStatus } from "./exit_status.ts";
/**
 * What the supervisor needs from a reaper: the exit of a pid, even one that exited already.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ExitStatus, ExitWatcher } from "@weft/init";
 *
 * // A watcher for tests: every process exits at once with status 0.
 * const watcher: ExitWatcher = {
 *   waitPid: (pid): Promise<ExitStatus> =>
 *     Promise.resolve({ pid, status: 0, code: 0, signal: null, at: Date.now() }),
 * };
 * assert.equal((await watcher.waitPid(42)).status, 0);
 * ```
 */
export interface ExitWatcher {
  /**
   * Resolves with the exit of `pid`; an exit reaped before this call is kept
   * and returned, unless it was reaped before `options.after` (a `Date.now()`
   * value): that was an earlier process with the same, recycled, pid.
   */
  waitPid(pid: number, options?: { after?: number }): Promise<ExitStatus>;
}

/**
 * The state of a container as the status file reports it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ContainerPhase } from "@weft/init";
 *
 * const phase: ContainerPhase = "backoff";
 * const settled: ContainerPhase[] = ["exited", "failed", "stopped"];
 * assert.ok(!settled.includes(phase));
 * ```
 */
export type ContainerPhase =
  | "waiting"
  | "creating"
  | "running"
  | "backoff"
  | "stopping"
  | "exited"
  | "failed"
  | "stopped";

/**
 * One exit of a container, as recorded in the status file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ExitRecord, exitRecord } from "@weft/init";
 *
 * const exit = { pid: 42, status: 137, code: null, signal: 9, at: 2500 };
 * const record: ExitRecord = exitRecord(exit, { restartCount: 2, startedAt: 1000 });
 * assert.equal(record.signal, "SIGKILL");
 * assert.equal(record.ranFor, 1500);
 * ```
 */
export interface ExitRecord {
  /** When the reaper collected the exit (ISO 8601). */
  at: string;
  /** The exit status (0-255, 128+n after death by signal n). */
  status: number;
  /** The exit code when it exited by itself, else null. */
  code: number | null;
  /** The signal name (`"SIGTERM"`) when a signal killed it, else null. */
  signal: string | null;
  /** How many times the container had been restarted when this run ended. */
  restartCount: number;
  /** Milliseconds from the start of the run to the reaper collecting its exit. */
  ranFor: number;
}

/**
 * A container in the status file.
 *
 * @example
 * ```ts ignore
 * import type { ContainerStatusRecord, PodStatus } from "@weft/init";
 *
 * const status = JSON.parse(await Deno.readTextFile("/run/weft/status.json")) as PodStatus;
 * const web: ContainerStatusRecord = status.containers["web"];
 * console.log(web.state, web.restartCount, web.error);
 * ```
 */
export interface ContainerStatusRecord {
  /** Its current state. */
  state: ContainerPhase;
  /** The pid of its init while it runs, else null. */
  pid: number | null;
  /** Restarts so far. */
  restartCount: number;
  /** When the current (or last) run started (ISO 8601). */
  startedAt: string | null;
  /** When the next start is due while in backoff (ISO 8601). */
  nextStartAt: string | null;
  /** The last exit status, or null if it never exited. */
  lastStatus: number | null;
  /** Total exits seen. */
  exitCount: number;
  /** The last exits, oldest first (at most `MAX_EXIT_RECORDS`). */
  exits: ExitRecord[];
  /** Why it failed or could not start (the runtime's own message), else null. */
  error: string | null;
}

/**
 * The status file: what the host reads.
 *
 * @example
 * ```ts ignore
 * import type { PodStatus } from "@weft/init";
 *
 * // What a host reads from the status file weft-init keeps up to date.
 * const status = JSON.parse(await Deno.readTextFile("/run/weft/status.json")) as PodStatus;
 * if (status.pod.state === "ended") console.log("pod exited with", status.pod.exitCode);
 * ```
 */
export interface PodStatus {
  /** The pod as a whole. */
  pod: {
    /** `starting`, `running`, `stopping` or `ended`. */
    state: "starting" | "running" | "stopping" | "ended";
    /** The runtime used. */
    runtime: string;
    /** The init's pid (1 when it is PID 1). */
    initPid: number;
    /** When the init started supervising (ISO 8601). */
    startedAt: string;
    /** When the pod ended (ISO 8601), else null. */
    endedAt: string | null;
    /** Why the pod stops, once it does. */
    stopReason: string | null;
    /** The pod's exit code once it ended, else null. */
    exitCode: number | null;
  };
  /** Every container, by id. */
  containers: Record<string, ContainerStatusRecord>;
}

/**
 * The status used for a container that never ran, as `docker run` uses for its own failures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NEVER_RAN_STATUS } from "@weft/init";
 *
 * // A container whose create failed counts as having exited with 125.
 * assert.equal(NEVER_RAN_STATUS, 125);
 * ```
 */
export const NEVER_RAN_STATUS = 125;
