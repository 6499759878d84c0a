import { getLogger } from "@logtape/logtape";
import { ownedChildPids } from "@weft/runtime";
import { getChildSubreaper, peekExitedChild, reapChild, setChildSubreaper } from "./_libc.ts";
import { listChildren, OwnershipCheck } from "./_children.ts";
import { decodeWaitStatus, type ExitStatus } from "./exit_status.ts";

export type { ExitStatus } from "./exit_status.ts";

const logger = getLogger(["weft", "init", "reaper"]);

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
   * At most this many unclaimed exits are kept; beyond it the oldest is
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
 * const options: WaitPidOptions = { after: Date.now(), signal: AbortSignal.timeout(10_000) };
 * const pid = 4242; // e.g. the container's init, read from the runtime's pid file
 * console.log((await reaper.waitPid(pid, options)).status);
 * ```
 */
export interface WaitPidOptions {
  /** Stops waiting; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Ignore exits reaped before this time (`Date.now()` value): pass the time
   * just before the process was created, so that a kept exit of an earlier
   * process with the same (recycled) pid is not taken for it.
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

interface Waiter {
  after: number;
  resolve(exit: ExitStatus): void;
  reject(reason: unknown): void;
}

// One reaper per process. Two would take each other's exits, and a process
// can run several isolates (workers; `deno test --parallel` runs every test
// module of a run in one process) that share no JS memory. The environment is
// process-wide, so it holds the marker: the identity of the process whose
// reaper runs. A child inherits the variable, but its identity differs: the
// pid alone could match (a nested PID 1), so the start time is part of it.
const MARKER = "WEFT_INIT_REAPER";

function processIdentity(): string {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    return `${Deno.pid}@${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]}`;
  } catch {
    return String(Deno.pid); // no /proc yet: a machine's early init, with no parent
  }
}

function claimProcess(): string {
  const identity = processIdentity();
  if (Deno.env.get(MARKER) === identity) {
    throw new ReaperStateError(
      "Cannot start a reaper: another reaper of this process is running (dispose it first)",
    );
  }
  Deno.env.set(MARKER, identity);
  return identity;
}

function releaseProcess(identity: string): void {
  if (Deno.env.get(MARKER) === identity) Deno.env.delete(MARKER);
}

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
  readonly #waiters = new Map<number, Set<Waiter>>();
  readonly #unclaimed = new Map<number, ExitStatus>();
  readonly #listeners = new Set<(exit: ExitStatus) => void>();
  readonly #ttl: number;
  readonly #max: number;
  readonly #usePidfds: boolean;
  readonly #restoreSubreaper: boolean;
  readonly #interval: ReturnType<typeof setInterval>;
  readonly #identity: string;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #disposed = false;
  #reaped = 0;
  #passes = 0;
  #dropped = 0;
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
    this.#ttl = options.unclaimedTtl ?? 300_000;
    this.#max = options.maxUnclaimed ?? 10_000;
    this.#usePidfds = options.detectDenoChildren ?? true;
    Deno.addSignalListener("SIGCHLD", this.#onSignal);
    this.#interval = setInterval(() => this.#pass(), options.rescanInterval ?? 1000);
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
    checkPositive("maxUnclaimed", options.maxUnclaimed);
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
   * @throws {RangeError} When `pid` is not a positive integer.
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
    const kept = this.#unclaimed.get(pid);
    if (kept !== undefined && kept.at >= after) {
      this.#unclaimed.delete(pid);
      return Promise.resolve(kept);
    }
    if (ownedChildPids().has(pid)) {
      return Promise.reject(
        new TypeError(
          `Cannot wait for ${pid}: it is a Deno.Command child; await its status instead`,
        ),
      );
    }
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const { promise, resolve, reject } = Promise.withResolvers<ExitStatus>();
    const waiters = this.#waiters.get(pid) ?? new Set();
    this.#waiters.set(pid, waiters);
    const signal = options.signal;
    const onAbort = (): void => {
      waiters.delete(waiter);
      if (waiters.size === 0) this.#waiters.delete(pid);
      reject(signal?.reason);
    };
    const waiter: Waiter = {
      after,
      resolve(exit): void {
        signal?.removeEventListener("abort", onAbort);
        resolve(exit);
      },
      reject(reason): void {
        signal?.removeEventListener("abort", onAbort);
        reject(reason);
      },
    };
    waiters.add(waiter);
    signal?.addEventListener("abort", onAbort, { once: true });
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
    let waiting = 0;
    for (const waiters of this.#waiters.values()) waiting += waiters.size;
    return {
      reaped: this.#reaped,
      passes: this.#passes,
      unclaimed: this.#unclaimed.size,
      dropped: this.#dropped,
      waiting,
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
    clearInterval(this.#interval);
    clearTimeout(this.#retry);
    for (const [pid, waiters] of this.#waiters) {
      for (const waiter of waiters) {
        waiter.reject(new ReaperStateError(`Stopped waiting for ${pid}: the reaper is disposed`));
      }
    }
    this.#waiters.clear();
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
    if (this.#waiters.size > 0) Deno.refTimer(this.#interval);
    else Deno.unrefTimer(this.#interval);
  }

  #pass(): number {
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
        if (check.owns(pid)) {
          // The peek shows this zombie until Deno collects it, hiding the others.
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
    this.#prune();
    return count;
  }

  #reapListed(check: OwnershipCheck): number {
    const children = listChildren();
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
      if (check.owns(pid)) continue;
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
    const waiters = this.#waiters.get(exit.pid);
    let claimed = false;
    if (waiters !== undefined) {
      for (const waiter of waiters) {
        if (waiter.after > exit.at) continue;
        waiters.delete(waiter);
        waiter.resolve(exit);
        claimed = true;
      }
      if (waiters.size === 0) this.#waiters.delete(exit.pid);
    }
    if (!claimed) {
      // Re-inserting keeps the map in reap order, oldest first, for #prune.
      this.#unclaimed.delete(exit.pid);
      this.#unclaimed.set(exit.pid, exit);
    }
    for (const listener of this.#listeners) {
      try {
        listener(exit);
      } catch (error) {
        logger.error("A reap listener threw for {pid}: {error}", { pid: exit.pid, error });
      }
    }
  }

  #prune(): void {
    const oldest = Date.now() - this.#ttl;
    for (const [pid, exit] of this.#unclaimed) {
      if (this.#unclaimed.size <= this.#max && exit.at >= oldest) break;
      this.#unclaimed.delete(pid);
      this.#dropped++;
      logger.debug("Dropped the unclaimed exit of {pid}", { pid });
    }
  }
}

function checkPositive(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new RangeError(
      `Invalid ${name} ${JSON.stringify(value)}: expected a positive number`,
    );
  }
}
