import type { ExitStatus } from "./exit_status.ts";

interface Waiter {
  after: number;
  resolve(exit: ExitStatus): void;
  reject(reason: unknown): void;
}

/** The pending `waitPid` calls of a reaper, by pid. */
export class ExitWaiters {
  readonly #waiters = new Map<number, Set<Waiter>>();

  /** How many pids are waited for. */
  get pids(): number {
    return this.#waiters.size;
  }

  /** How many calls wait. */
  get count(): number {
    let count = 0;
    for (const waiters of this.#waiters.values()) count += waiters.size;
    return count;
  }

  /** Waits for the exit of `pid` reaped at `after` (`performance.now()`) or later; `signal` stops waiting. */
  wait(pid: number, after: number, signal?: AbortSignal): Promise<ExitStatus> {
    const { promise, resolve, reject } = Promise.withResolvers<ExitStatus>();
    const waiters = this.#waiters.get(pid) ?? new Set();
    this.#waiters.set(pid, waiters);
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
    return promise;
  }

  /** Hands `exit` to the calls waiting for it; whether any did. */
  deliver(exit: ExitStatus): boolean {
    const waiters = this.#waiters.get(exit.pid);
    if (waiters === undefined) return false;
    let claimed = false;
    for (const waiter of waiters) {
      if (waiter.after > exit.reapedAt) continue;
      waiters.delete(waiter);
      waiter.resolve(exit);
      claimed = true;
    }
    if (waiters.size === 0) this.#waiters.delete(exit.pid);
    return claimed;
  }

  /** Rejects every waiting call with `reason(pid)`. */
  rejectAll(reason: (pid: number) => unknown): void {
    for (const [pid, waiters] of this.#waiters) {
      for (const waiter of waiters) waiter.reject(reason(pid));
    }
    this.#waiters.clear();
  }
}
