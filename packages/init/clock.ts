/**
 * Where the supervisor reads the time and sets its timers: the system clock
 * in the init, a fake one in unit tests (so that backoff and grace periods
 * are tested in milliseconds of real time).
 *
 * Two readings: {@linkcode Clock.now} (the wall clock) stamps what people
 * read (events, the status file); {@linkcode Clock.monotonic} measures
 * durations (how long a run lasted, whether it was stable), because the wall
 * clock can step: a VM's clock is set by the host after the boot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Clock, systemClock } from "@weft/init";
 *
 * const clock: Clock = systemClock;
 * assert.ok(Math.abs(clock.now() - Date.now()) < 1000);
 * assert.ok(clock.monotonic() <= performance.now());
 * ```
 */
export interface Clock {
  /** Milliseconds since the epoch, as `Date.now()`: for timestamps people read, never for durations. */
  now(): number;
  /**
   * Milliseconds on a clock that a step of the wall clock does not move, as
   * `performance.now()`: for durations. It is the timeline of the exit
   * watcher's `reapedAt` (the reaper's is `performance.now()`), so a clock
   * and the exit watcher it is used with must agree.
   */
  monotonic(): number;
  /** Calls `fn` after `ms` milliseconds, as `setTimeout`; returns the timer, for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer of {@linkcode Clock.setTimeout}. */
  clearTimeout(timer: unknown): void;
}

/**
 * The real clock: `Date.now()`, `performance.now()` and the global timers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "@weft/init";
 *
 * const fired = await new Promise<boolean>((resolve) => systemClock.setTimeout(() => resolve(true), 1));
 * assert.equal(fired, true);
 * ```
 */
export const systemClock: Clock = {
  now: (): number => Date.now(),
  monotonic: (): number => performance.now(),
  setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimeout: (timer: unknown): void => clearTimeout(timer as number),
};

/**
 * A delay on `clock` that can be cancelled (then it never resolves and holds no timer).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { delay, systemClock } from "@weft/init";
 *
 * const wait = delay(systemClock, 10_000);
 * wait.cancel();
 * assert.ok(wait.promise instanceof Promise);
 * ```
 */
export function delay(clock: Clock, ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: unknown;
  const promise = new Promise<void>((resolve) => timer = clock.setTimeout(resolve, ms));
  return { promise, cancel: () => clock.clearTimeout(timer) };
}
