/**
 * Options of {@linkcode Reaper.start}.
 *
 * @example
 * ```ts ignore
 * import { Reaper, type ReaperOptions } from "@weft/init/reaper";
 *
 * // Starts reaping: as PID 1, or as a child subreaper otherwise.
 * const options: ReaperOptions = { rescanInterval: 500, maxUnclaimed: 1000 };
 * using reaper = Reaper.start(options);
 * ```
 */
export interface ReaperOptions {
  /**
   * Milliseconds between two full rescans. SIGCHLD signals coalesce (several
   * exits can raise one signal), so a periodic pass catches what a missed
   * signal would leave behind.
   * @default {1000}
   */
  rescanInterval?: number;
  /**
   * How long (ms) the exit of a pid that nobody waits for is kept for a later
   * {@linkcode Reaper.waitPid}. This is what makes an exit that happens before
   * its pid is known (a container that ends within a millisecond of start)
   * still deliverable.
   * @default {300000}
   */
  unclaimedTtl?: number;
  /**
   * At most this many unclaimed exits are kept (a positive integer); beyond it the oldest is
   * dropped (and logged), so a flood of orphans cannot grow memory without bound.
   * @default {10000}
   */
  maxUnclaimed?: number;
  /**
   * When the process is not PID 1, make it a child subreaper
   * (`prctl(PR_SET_CHILD_SUBREAPER)`) so that orphans come to it.
   * @default {true}
   */
  subreaper?: boolean;
  /**
   * Also treat every child this process holds a pidfd for as owned by Deno
   * (Deno opens one per `Deno.Command` child and keeps it until it has
   * reaped it). This protects `Deno.Command` calls that were not registered
   * with `trackChildProcess`. Turn it off only if your code holds pidfds of
   * children that the reaper should reap.
   * @default {true}
   */
  detectDenoChildren?: boolean;
}

/**
 * Options of {@linkcode Reaper.waitPid}.
 *
 * @example
 * ```ts ignore
 * import { Reaper, type WaitPidOptions } from "@weft/init/reaper";
 *
 * using reaper = Reaper.start();
 * const options: WaitPidOptions = { after: performance.now(), signal: AbortSignal.timeout(10_000) };
 * const pid = 4242; // e.g. the container's init, read from the runtime's pid file
 * console.log((await reaper.waitPid(pid, options)).status);
 * ```
 */
export interface WaitPidOptions {
  /** Stops waiting; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Ignore exits reaped before this time (a `performance.now()` value, compared
   * with the exit's `reapedAt`): pass the time just before the
   * process was created, so that a kept exit of an earlier process with the
   * same (recycled) pid is not taken for it. Monotonic, not `Date.now()`: a
   * wall clock stepped back between the two would make the process's own
   * exit look older than it, and lose it.
   * @default {0}
   */
  after?: number;
}

/**
 * Counters of a {@linkcode Reaper}, for logs and benchmarks.
 *
 * @example
 * ```ts ignore
 * import { Reaper, type ReaperStats } from "@weft/init/reaper";
 *
 * using reaper = Reaper.start();
 * const stats: ReaperStats = reaper.stats();
 * console.log(`${stats.reaped} reaped in ${stats.passes} passes`);
 * ```
 */
export interface ReaperStats {
  /** Processes reaped since start. */
  reaped: number;
  /** Reaping passes run since start. */
  passes: number;
  /** Exits kept for a later `waitPid`. */
  unclaimed: number;
  /** Unclaimed exits dropped because of `maxUnclaimed` or `unclaimedTtl`. */
  dropped: number;
  /** Pending `waitPid` calls. */
  waiting: number;
}

/**
 * {@linkcode Reaper.start} was called while another reaper of this process
 * is running, or a call was made on a disposed reaper.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReaperStateError } from "@weft/init/reaper";
 *
 * const error = new ReaperStateError("The reaper is disposed");
 * assert.equal(error.name, "ReaperStateError");
 * ```
 */
export class ReaperStateError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ReaperStateError";
  }
}
