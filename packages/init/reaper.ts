import { getLogger } from "@logtape/logtape";
import {
  childPids,
  isPositiveDuration,
  onOwnedChildCollected,
  ownedChildPids,
} from "@weft/runtime";
import { claimProcess, releaseProcess } from "./_reaper_claim.ts";
import {
  type ReaperOptions,
  ReaperStateError,
  type ReaperStats,
  type WaitPidOptions,
} from "./reaper_options.ts";
import {
  getChildSubreaper,
  hasExited,
  peekExitedChild,
  reapChild,
  setChildSubreaper,
} from "./_libc.ts";
import { OwnershipCheck } from "./_children.ts";
import { notifyAll } from "./_notify.ts";
import { ExitWaiters } from "./_exit_waiters.ts";
import { UnclaimedExits } from "./_unclaimed_exits.ts";
import { decodeWaitStatus, type ExitStatus } from "./exit_status.ts";

export type { ExitStatus } from "./exit_status.ts";
export * from "./reaper_options.ts";

const logger = getLogger(["weft", "init", "reaper"]);

/**
 * Reaps every exited child of this process (orphans re-parented to it
 * included) without ever reaping a child that a `Deno.Command` owns, and
 * reports each exit.
 *
 * How: on every SIGCHLD and every `rescanInterval`, it peeks at an exited
 * child with `waitid(P_ALL, WEXITED | WNOHANG | WNOWAIT)` and reaps it with
 * `waitpid(pid, WNOHANG)` only when Deno does not own it (registered with
 * `trackChildProcess`, or held through a pidfd). When the peek finds a child
 * Deno owns (which hides the others until Deno collects it), it falls back to
 * the list in /proc/self/task/&lt;tid&gt;/children. Nothing blocks the JS thread.
 *
 * Exits nobody waits for yet are kept (see `unclaimedTtl`, `maxUnclaimed`)
 * for a later {@linkcode Reaper.waitPid}. One reaper runs per process, also
 * across workers (marked in the process-wide environment variable
 * `WEFT_INIT_REAPER`). Needs `--allow-ffi`, `--allow-env` and, for
 * the fallback, read access to /proc (in practice `-A`). (The examples are
 * not run by `deno test --doc`: that runs every module in one process, where
 * a reaper would reap for all of them.) As PID 1, mount
 * /proc before any unregistered `Deno.Command` runs: without it, Deno's
 * children are recognised through `trackChildProcess` only.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { Reaper } from "@weft/init/reaper";
 *
 * using reaper = Reaper.start();
 * const orphanMaker = new Deno.Command("sh", { args: ["-c", "sh -c 'exit 3' & echo $!"], stdout: "piped" });
 * const { stdout } = await orphanMaker.output();
 * const exit = await reaper.waitPid(Number(new TextDecoder().decode(stdout)));
 * assert.equal(exit.status, 3);
 * ```
 */
export class Reaper implements Disposable {
  /** Whether this process is PID 1, a child subreaper, or neither (only its own children come to it). */
  readonly mode: "pid1" | "subreaper" | "none";
  readonly #waiters = new ExitWaiters();
  readonly #unclaimed: UnclaimedExits;
  readonly #listeners = new Set<(exit: ExitStatus) => void>();
  readonly #usePidfds: boolean;
  readonly #restoreSubreaper: boolean;
  readonly #interval: ReturnType<typeof setInterval>;
  readonly #identity: string;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** The registered Deno child whose zombie ended the last pass; the next pass comes once Deno collects it. */
  #blockedBy = 0;
  readonly #stopCollected: () => void;
  #disposed = false;
  #reaped = 0;
  #passes = 0;
  readonly #onSignal = (): void => void this.#pass();

  private constructor(
    mode: "pid1" | "subreaper" | "none",
    restoreSubreaper: boolean,
    identity: string,
    options: ReaperOptions,
  ) {
    this.mode = mode;
    this.#identity = identity;
    this.#restoreSubreaper = restoreSubreaper;
    this.#unclaimed = new UnclaimedExits(
      options.maxUnclaimed ?? 10_000,
      options.unclaimedTtl ?? 300_000,
    );
    this.#usePidfds = options.detectDenoChildren ?? true;
    Deno.addSignalListener("SIGCHLD", this.#onSignal);
    this.#stopCollected = onOwnedChildCollected((pid) => {
      if (pid !== this.#blockedBy) return;
      this.#blockedBy = 0;
      this.#pass();
    });
    this.#interval = setInterval(() => this.#pass(true), options.rescanInterval ?? 1000);
    // The reaper serves the program; it must not be what keeps it alive.
    Deno.unrefTimer(this.#interval);
    // Zombies that exist already are reaped after the caller's synchronous
    // code, so that listeners it adds right after start() see them.
    queueMicrotask(() => this.#pass());
  }

  /**
   * Starts reaping: as PID 1 directly, otherwise after making this process a
   * child subreaper. If that fails, it logs an error (orphans will then not
   * come to this process) and reaps only its own children (`mode` "none").
   *
   * @param options See {@linkcode ReaperOptions}.
   * @returns The running reaper; dispose it to stop.
   * @throws {ReaperStateError} When another reaper of this process is running.
   * @throws {RangeError} When an option is out of range.
   *
   * @example
   * ```ts ignore
   * import assert from "node:assert/strict";
   * import { Reaper } from "@weft/init/reaper";
   *
   * using reaper = Reaper.start({ rescanInterval: 500 });
   * assert.ok(reaper.mode !== "none");
   * ```
   */
  static start(options: ReaperOptions = {}): Reaper {
    checkPositive("rescanInterval", options.rescanInterval);
    checkPositive("unclaimedTtl", options.unclaimedTtl);
    const max = options.maxUnclaimed;
    if (max !== undefined && !(Number.isSafeInteger(max) && max > 0)) {
      throw new RangeError(
        `Invalid maxUnclaimed ${
          JSON.stringify(max)
        }: expected a positive integer (a count of exits)`,
      );
    }
    const identity = claimProcess();
    let mode: "pid1" | "subreaper" | "none" = "none";
    let restore = false;
    if (Deno.pid === 1) {
      mode = "pid1";
    } else if (options.subreaper ?? true) {
      try {
        if (!getChildSubreaper()) {
          setChildSubreaper(true);
          restore = true;
        }
        mode = "subreaper";
      } catch (error) {
        logger.error(
          "Cannot become a child subreaper: orphaned processes will NOT be reaped (zombies will pile up): {error}",
          { error },
        );
      }
    } else {
      logger.warn("Not PID 1 and subreaper disabled: only direct children will be reaped");
    }
    const reaper = new Reaper(mode, restore, identity, options);
    logger.debug("Reaper started in mode {mode}", { mode });
    return reaper;
  }

  /**
   * The exit of `pid`, also when it was reaped before this call (an
   * unclaimed exit is kept for `unclaimedTtl`). The first call that gets a
   * kept exit consumes it; calls waiting together all get the same exit.
   *
   * @param pid A process that is, or will become, a child of this process.
   * @param options See {@linkcode WaitPidOptions}.
   * @returns Its exit status.
   * @throws {RangeError} When `pid` is not a positive integer, or `after` is
   *   no `performance.now()` reading (a `Date.now()` one would never match).
   * @throws {TypeError} When `pid` is a `Deno.Command` child (await its `status` instead).
   * @throws {ReaperStateError} When the reaper is, or gets, disposed.
   *
   * @example
   * ```ts ignore
   * import assert from "node:assert/strict";
   * import { Reaper } from "@weft/init/reaper";
   *
   * using reaper = Reaper.start();
   * const { stdout } = await new Deno.Command("sh", {
   *   args: ["-c", "sh -c 'kill -TERM $$' & echo $!"],
   *   stdout: "piped",
   * }).output();
   * const pid = Number(new TextDecoder().decode(stdout));
   * const exit = await reaper.waitPid(pid, { signal: AbortSignal.timeout(5000) });
   * assert.ok(exit.signal === 15 && exit.status === 143);
   * ```
   */
  waitPid(pid: number, options: WaitPidOptions = {}): Promise<ExitStatus> {
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      return Promise.reject(
        new RangeError(`Invalid pid ${JSON.stringify(pid)}: expected a positive integer`),
      );
    }
    if (this.#disposed) {
      return Promise.reject(new ReaperStateError(`Cannot wait for ${pid}: the reaper is disposed`));
    }
    const after = options.after ?? 0;
    // A second of slack: a reading taken in another realm (a worker) may run a little ahead.
    if (!(Number.isFinite(after) && after >= 0 && after <= performance.now() + 1000)) {
      return Promise.reject(
        new RangeError(
          `Invalid after ${JSON.stringify(after)}: expected a performance.now() reading ` +
            `(not a Date.now() one), at most the time now`,
        ),
      );
    }
    const kept = this.#unclaimed.take(pid, after);
    if (kept !== undefined) return Promise.resolve(kept);
    if (ownedChildPids().has(pid)) {
      return Promise.reject(
        new TypeError(
          `Cannot wait for ${pid}: it is a Deno.Command child; await its status instead`,
        ),
      );
    }
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const promise = this.#waiters.wait(pid, after, options.signal);
    this.#updateRef();
    return promise.finally(() => this.#updateRef());
  }

  /**
   * Calls `listener` for every process reaped from now on (orphans
   * included), in the reaping pass itself: keep it quick and schedule real
   * work (a restart) with a timer. A listener that throws is logged and
   * does not disturb the others.
   *
   * @param listener Receives each exit.
   * @returns A function that removes the listener.
   *
   * @example
   * ```ts ignore
   * import { Reaper } from "@weft/init/reaper";
   *
   * using reaper = Reaper.start();
   * const stop = reaper.onReap((exit) => console.log("reaped", exit.pid, exit.status));
   * stop();
   * ```
   */
  onReap(listener: (exit: ExitStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Runs a reaping pass now (it also runs on SIGCHLD and every
   * `rescanInterval`).
   *
   * @returns How many processes this pass reaped.
   *
   * @example
   * ```ts ignore
   * import assert from "node:assert/strict";
   * import { Reaper } from "@weft/init/reaper";
   *
   * using reaper = Reaper.start();
   * assert.ok(reaper.reapNow() >= 0);
   * ```
   */
  reapNow(): number {
    return this.#pass();
  }

  /**
   * The reaper's counters.
   *
   * @returns A snapshot of them.
   *
   * @example
   * ```ts ignore
   * import assert from "node:assert/strict";
   * import { Reaper } from "@weft/init/reaper";
   *
   * using reaper = Reaper.start();
   * assert.ok(reaper.stats().reaped >= 0);
   * ```
   */
  stats(): ReaperStats {
    return {
      reaped: this.#reaped,
      passes: this.#passes,
      unclaimed: this.#unclaimed.size,
      dropped: this.#unclaimed.dropped,
      waiting: this.#waiters.count,
    };
  }

  /**
   * Runs a last pass, then stops: removes the SIGCHLD listener and timers,
   * rejects pending `waitPid` calls with {@linkcode ReaperStateError}, and
   * clears the subreaper attribute if `start` set it.
   */
  [Symbol.dispose](): void {
    if (this.#disposed) return;
    this.#pass();
    this.#disposed = true;
    Deno.removeSignalListener("SIGCHLD", this.#onSignal);
    this.#stopCollected();
    clearInterval(this.#interval);
    clearTimeout(this.#retry);
    this.#waiters.rejectAll((pid) =>
      new ReaperStateError(`Stopped waiting for ${pid}: the reaper is disposed`)
    );
    this.#unclaimed.clear();
    this.#listeners.clear();
    if (this.#restoreSubreaper) {
      try {
        setChildSubreaper(false);
      } catch (error) {
        logger.warn("Cannot clear the child subreaper attribute: {error}", { error });
      }
    }
    releaseProcess(this.#identity);
    logger.debug("Reaper stopped after {reaped} reaps", { reaped: this.#reaped });
  }

  // A pending waitPid keeps the program alive, as awaiting a child's status
  // does; otherwise the reaper must not.
  #updateRef(): void {
    if (this.#disposed) return;
    if (this.#waiters.pids > 0) Deno.refTimer(this.#interval);
    else Deno.unrefTimer(this.#interval);
  }

  /**
   * One pass. The peek shows a zombie Deno owns until Deno collects it,
   * hiding the others: for a registered child (every runtime call) the pass
   * ends there and the next one comes when Deno has collected it, which
   * spares reading /proc on the path of every runtime call; otherwise, and
   * in the periodic pass (`scan`), it reaps what /proc lists.
   */
  #pass(scan = false): number {
    if (this.#disposed) return 0;
    this.#passes++;
    const check = new OwnershipCheck(this.#usePidfds);
    let count = 0;
    try {
      for (let previous = 0;;) {
        const pid = peekExitedChild();
        // The same pid twice means waitpid could not reap it: never spin.
        if (pid === 0 || pid === previous) break;
        previous = pid;
        if (!scan && ownedChildPids().has(pid)) {
          this.#blockedBy = pid;
          break;
        }
        if (check.owns(pid)) {
          count += this.#reapListed(check);
          break;
        }
        const result = reapChild(pid);
        if (result.state === "reaped") {
          count++;
          this.#deliver(decodeWaitStatus(pid, result.status));
        }
      }
    } catch (error) {
      logger.error("Reaping pass failed: {error}", { error });
    }
    this.#unclaimed.prune();
    return count;
  }

  #reapListed(check: OwnershipCheck): number {
    const children = childPids("self");
    if (children === undefined) {
      // No /proc yet: try again shortly, once Deno has collected its child.
      if (this.#retry === undefined) {
        const retry = setTimeout(() => {
          this.#retry = undefined;
          this.#pass();
        }, 10);
        Deno.unrefTimer(retry);
        this.#retry = retry;
      }
      return 0;
    }
    let count = 0;
    for (const pid of children) {
      // Ownership is asked only of exited children: it may read every fd.
      if (!hasExited(pid) || check.owns(pid)) continue;
      const result = reapChild(pid);
      if (result.state === "reaped") {
        count++;
        this.#deliver(decodeWaitStatus(pid, result.status));
      }
    }
    return count;
  }

  #deliver(exit: ExitStatus): void {
    this.#reaped++;
    logger.debug("Reaped {pid}: status {status}", { ...exit });
    if (!this.#waiters.deliver(exit)) {
      this.#unclaimed.add(exit);
    }
    notifyAll(
      this.#listeners,
      exit,
      (error) => logger.error("A reap listener threw for {pid}: {error}", { pid: exit.pid, error }),
    );
  }
}

function checkPositive(name: string, value: number | undefined): void {
  if (value !== undefined && !isPositiveDuration(value)) {
    throw new RangeError(
      `Invalid ${name} ${JSON.stringify(value)}: expected a positive number`,
    );
  }
}
