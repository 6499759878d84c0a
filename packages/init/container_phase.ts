import type { ContainerPhase } from "./pod_status.ts";

/**
 * Every phase a container may go to from each phase; a container unit
 * changes phase only along these edges and throws on any other.
 *
 * - waiting: `start` (its dependencies ran) -> creating; `stop` -> stopped; a dependency never ran -> failed.
 * - creating: started -> running; create or start failed -> backoff or failed; `stop` during
 *   create -> stopped; `restart` during create -> creating.
 * - running: `stop` -> stopping; exited -> backoff, exited or failed (restart policy), or stopped
 *   (exited as a stop began); `restart` -> creating (exited as the restart began).
 * - backoff: backoff elapsed or `restart` -> creating; `stop` -> stopped.
 * - stopping: exited -> stopped, or creating for a `restart`.
 * - exited, failed, stopped: final; only `restart` leaves them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { TRANSITIONS } from "@weft/init";
 *
 * assert.ok(TRANSITIONS.backoff.includes("creating"));
 * assert.ok(!TRANSITIONS.waiting.includes("running"));
 * ```
 */
export const TRANSITIONS: Readonly<Record<ContainerPhase, readonly ContainerPhase[]>> = {
  waiting: ["creating", "stopped", "failed"],
  creating: ["running", "backoff", "failed", "stopped", "creating"],
  running: ["stopping", "backoff", "exited", "failed", "stopped", "creating"],
  backoff: ["creating", "stopped"],
  stopping: ["stopped", "creating"],
  exited: ["creating"],
  failed: ["creating"],
  stopped: ["creating"],
};

/**
 * Whether `phase` is final: exited, failed or stopped (only a restart leaves it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isFinal } from "@weft/init";
 *
 * assert.equal(isFinal("stopped"), true);
 * assert.equal(isFinal("backoff"), false);
 * ```
 */
export function isFinal(phase: ContainerPhase): boolean {
  return phase === "exited" || phase === "failed" || phase === "stopped";
}
