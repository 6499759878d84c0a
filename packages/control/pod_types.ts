// The pod's status (the status file and the control API's `status` call) and
// its events: weft-init writes them, the control API serves them, clients
// read them. @weft/init re-exports them.
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
 * const exit = { pid: 42, status: 137, code: null, signal: 9, at: 1_700_000_002_500, reapedAt: 2500 };
 * const record: ExitRecord = exitRecord(exit, { restartCount: 2, startedAtMonotonic: 1000 });
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
  /** Milliseconds from the start of the run to the reaper collecting its exit (by the monotonic clock). */
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
 * What happens in a pod, as {@linkcode Supervisor.subscribe} reports it, in
 * order. `at` is epoch milliseconds (`Date.now()` of the supervisor's clock);
 * `status` is the shell status (the exit code, or 128+n after death by signal n).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PodEvent } from "@weft/init";
 *
 * function describe(event: PodEvent): string {
 *   return event.type === "container-exited" ? `${event.id} exited with ${event.status}` : event.type;
 * }
 * assert.equal(
 *   describe({ type: "container-exited", id: "web", at: 0, pid: 7, code: 3, signal: null, status: 3, restartCount: 0 }),
 *   "web exited with 3",
 * );
 * ```
 */
export type PodEvent =
  | { type: "container-created"; id: string; at: number; pid: number }
  | { type: "container-started"; id: string; at: number; pid: number }
  | {
    type: "container-exited";
    id: string;
    at: number;
    pid: number;
    code: number | null;
    signal: string | null;
    status: number;
    restartCount: number;
  }
  | { type: "container-restarting"; id: string; at: number; delay: number; restartCount: number }
  | { type: "container-failed"; id: string; at: number; reason: string }
  | { type: "container-stopping"; id: string; at: number; signal: string }
  | { type: "container-stopped"; id: string; at: number }
  | { type: "pod-stopping"; at: number; reason: string }
  | { type: "pod-ended"; at: number; exitCode: number };
