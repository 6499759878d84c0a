import { getLogger } from "@logtape/logtape";
import type { ExitStatus } from "./exit_status.ts";

const logger = getLogger(["weft", "init", "reaper"]);

/**
 * The exits a reaper reaped before anyone waited for them, kept for a later
 * `waitPid`, bounded in count and age (the oldest dropped first).
 */
export class UnclaimedExits {
  readonly #exits = new Map<number, ExitStatus>();
  readonly #max: number;
  readonly #ttl: number;
  #dropped = 0;

  /** Keeps at most `max` exits, none older than `ttl` ms. */
  constructor(max: number, ttl: number) {
    this.#max = max;
    this.#ttl = ttl;
  }

  /** How many are kept. */
  get size(): number {
    return this.#exits.size;
  }

  /** How many were dropped, by count or age. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Keeps `exit`, the newest. */
  add(exit: ExitStatus): void {
    // Re-inserting keeps the map in reap order, oldest first, for prune.
    this.#exits.delete(exit.pid);
    this.#exits.set(exit.pid, exit);
  }

  /** Takes the kept exit of `pid` reaped at `after` (`performance.now()`) or later, if any. */
  take(pid: number, after: number): ExitStatus | undefined {
    const kept = this.#exits.get(pid);
    if (kept === undefined || kept.reapedAt < after) return undefined;
    this.#exits.delete(pid);
    return kept;
  }

  /** Drops what is over the bounds. */
  prune(): void {
    // Monotonic: a wall clock set forward at boot must not expire every kept exit.
    const oldest = performance.now() - this.#ttl;
    for (const [pid, exit] of this.#exits) {
      if (this.#exits.size <= this.#max && exit.reapedAt >= oldest) break;
      this.#exits.delete(pid);
      this.#dropped++;
      logger.debug("Dropped the unclaimed exit of {pid}", { pid });
    }
  }

  /** Forgets every kept exit. */
  clear(): void {
    this.#exits.clear();
  }
}
