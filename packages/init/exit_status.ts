/**
 * How a process ended, as the reaper saw it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWaitStatus, type ExitStatus } from "@weft/init/exit-status";
 *
 * const exit: ExitStatus = decodeWaitStatus(42, 9);
 * assert.ok(exit.reapedAt <= performance.now());
 * assert.ok(exit.signal === 9 && exit.status === 137 && exit.code === null);
 * ```
 */
export interface ExitStatus {
  /** The process id. */
  pid: number;
  /**
   * The exit code, or 128 + the signal number when a signal killed the
   * process (what shells and tini report: TERM gives 143, KILL 137).
   */
  status: number;
  /** The exit code when the process exited by itself, otherwise `null`. */
  code: number | null;
  /** The signal number when a signal killed the process, otherwise `null`. */
  signal: number | null;
  /** `Date.now()` when the process was reaped: for people (events, the status file). */
  at: number;
  /**
   * `performance.now()` when the process was reaped: a monotonic time that a
   * step of the wall clock (the host setting a VM's clock at boot) does not
   * move. Exits are ordered against a container's creation, aged, and runs
   * timed (`ranFor`, on the clock's `monotonic()` timeline), by it.
   */
  reapedAt: number;
}

/**
 * Decodes a raw `waitpid(2)` status word into an {@linkcode ExitStatus}.
 *
 * @param pid The process the status belongs to.
 * @param raw The status word `waitpid` stored.
 * @param at When it was reaped, by the wall clock. @default {Date.now()}
 * @param reapedAt When it was reaped, by the monotonic clock. @default {performance.now()}
 * @returns The decoded status, with `status` = 128 + signal for a killed process.
 * @throws {RangeError} When `raw` is neither an exit nor a death by signal
 * (a stop or continue report, which `waitpid` only gives with WUNTRACED or WCONTINUED).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeWaitStatus } from "@weft/init/exit-status";
 *
 * assert.ok(decodeWaitStatus(42, 3 << 8).code === 3);
 * assert.ok(decodeWaitStatus(42, 15).status === 143);
 * ```
 */
export function decodeWaitStatus(
  pid: number,
  raw: number,
  at: number = Date.now(),
  reapedAt: number = performance.now(),
): ExitStatus {
  const low = raw & 0x7f;
  if (low === 0) {
    const code = (raw >> 8) & 0xff;
    return { pid, status: code, code, signal: null, at, reapedAt };
  }
  if (low !== 0x7f && (raw & 0xffff) === (raw & 0xff)) {
    return { pid, status: 128 + low, code: null, signal: low, at, reapedAt };
  }
  throw new RangeError(
    `Invalid wait status 0x${
      raw.toString(16)
    } for process ${pid}: expected an exit or a death by signal`,
  );
}
