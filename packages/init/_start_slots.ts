/**
 * A counting semaphore for the create-and-start part of container runs: at
 * most `count` at once (`Infinity`: no bound), the others wait in order.
 */
export class StartSlots {
  readonly #queue: (() => void)[] = [];
  #free: number;

  constructor(count: number) {
    if (count !== Infinity && (!Number.isInteger(count) || count < 1)) {
      throw new RangeError(
        `Invalid maxParallelStarts ${
          JSON.stringify(count)
        }: expected a positive integer or Infinity`,
      );
    }
    this.#free = count;
  }

  /** Resolves once a slot is free; call the function it gives (once) to free it again. */
  async acquire(): Promise<() => void> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#queue.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
