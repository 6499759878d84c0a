/**
 * What {@linkcode SeqRing.read} gives: the entries after a cursor, and how
 * many were lost to the ring's bound before the first of them.
 *
 * @example
 * ```ts
 * import { SeqRing } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const ring = new SeqRing<string>(2);
 * for (const word of ["a", "b", "c"]) ring.push(word);
 * const { missed, entries } = ring.read(0);
 * assert.deepEqual([missed, entries.map((e) => e.value)], [1, ["b", "c"]]);
 * ```
 */
export interface SeqRead<T> {
  /** Entries overwritten between the cursor and the first entry returned. */
  missed: number;
  /** The entries after the cursor, oldest first. */
  entries: { seq: number; value: T }[];
}

/**
 * A bounded ring of values numbered 1, 2, 3... in the order pushed. Readers
 * keep their own cursor (the last number they saw), so any number of them
 * read at their own pace: a push never waits for a reader, and a reader
 * that falls more than `capacity` behind is told how many it missed
 * (drop-and-mark) instead of slowing the producer.
 *
 * @example
 * ```ts
 * import { SeqRing } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const ring = new SeqRing<string>(100);
 * const next = ring.changed(0);
 * ring.push("hello");
 * await next;
 * assert.equal(ring.read(0).entries[0].value, "hello");
 * assert.equal(ring.last, 1);
 * ```
 */
export class SeqRing<T> {
  readonly #capacity: number;
  /** The values, a circular buffer once full: the oldest is at #head. */
  readonly #slots: T[] = [];
  #head = 0;
  #first = 1;
  #closed = false;
  /** Readers waiting for a change; one that gives up leaves this set at once. */
  readonly #waiters = new Set<() => void>();

  /** A ring that keeps the last `capacity` values (at least 1). */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Invalid ring capacity ${capacity}: expected an integer of at least 1`);
    }
    this.#capacity = capacity;
  }

  /** The number of the newest value (0 before the first push). */
  get last(): number {
    return this.#first + this.#slots.length - 1;
  }

  /** Whether {@linkcode SeqRing.close} was called: no value will come. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Readers waiting in {@linkcode SeqRing.changed} now (an abandoned wait is not counted). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /** Appends `value` (overwriting the oldest past the capacity, in constant time) and returns its number. */
  push(value: T): number {
    if (this.#closed) return this.last;
    if (this.#slots.length < this.#capacity) {
      this.#slots.push(value);
    } else {
      this.#slots[this.#head] = value;
      this.#head = (this.#head + 1) % this.#capacity;
      this.#first++;
    }
    this.#notify();
    return this.last;
  }

  /** The values after cursor `after`, at most `limit` of them, oldest first. */
  read(after: number, limit = Infinity): SeqRead<T> {
    const from = Math.max(after + 1, this.#first);
    const missed = Math.max(0, this.#first - (after + 1));
    const count = Math.max(0, Math.min(limit, this.last - from + 1));
    const entries: SeqRead<T>["entries"] = [];
    const offset = this.#head + (from - this.#first);
    for (let i = 0; i < count; i++) {
      entries.push({ seq: from + i, value: this.#slots[(offset + i) % this.#slots.length] });
    }
    return { missed, entries };
  }

  /**
   * Resolves once a value after `after` exists or the ring is closed (at
   * once if so already); `signal` abandons the wait, and the ring then
   * keeps nothing of it.
   */
  changed(after: number, signal?: AbortSignal): Promise<void> {
    if (this.last > after || this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.add(done);
      signal?.addEventListener("abort", done);
    });
  }

  /** Ends the ring: waiting readers wake, and read what is left. */
  close(): void {
    this.#closed = true;
    this.#notify();
  }

  #notify(): void {
    for (const wake of [...this.#waiters]) wake();
  }
}
