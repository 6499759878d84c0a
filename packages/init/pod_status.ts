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
 *     Promise.resolve({ pid, status: 0, code: 0, signal: null, at: Date.now(), reapedAt: performance.now() }),
 * };
 * assert.equal((await watcher.waitPid(42)).status, 0);
 * ```
 */
export interface ExitWatcher {
  /**
   * Resolves with the exit of `pid`; an exit reaped before this call is kept
   * and returned, unless it was reaped before `options.after` (a
   * `performance.now()` value, compared with `reapedAt`): that was an
   * earlier process with the same, recycled, pid.
   */
  waitPid(pid: number, options?: { after?: number }): Promise<ExitStatus>;
}

// The status file's and the control API's wire types belong to @weft/control
// (whose protocol they are); re-exported so that both packages name them one way.
export type {
  ContainerPhase,
  ContainerStatusRecord,
  ExitRecord,
  PodStatus,
} from "@weft/control/pod-types";

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
