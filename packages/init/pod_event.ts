/**
 * One transition of the pod or of one of its containers, as the supervisor
 * reports it to its subscribers (the control API streams them). `at` is
 * epoch milliseconds (`Date.now()`); `status` is the shell status (the exit
 * code, or 128+n after death by signal n).
 *
 * @example
 * ```ts
 * import type { PodEvent } from "@weft/init";
 * import assert from "node:assert/strict";
 *
 * const event: PodEvent = { type: "container-restarting", id: "web", at: Date.now(), delay: 200, restartCount: 1 };
 * assert.equal(event.type, "container-restarting");
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
