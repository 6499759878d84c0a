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
