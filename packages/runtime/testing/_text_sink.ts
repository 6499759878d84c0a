/**
 * A WritableStream that keeps what a container writes as text, so that a
 * test can wait for a line to arrive and for the stream to be closed.
 */
export class TextSink {
  /** Give this to the runtime as a stdio stream. */
  readonly writable: WritableStream<Uint8Array>;
  #text = "";
  #closed = false;
  #waiters = new Set<() => void>();

  constructor() {
    const decoder = new TextDecoder();
    this.writable = new WritableStream({
      write: (chunk) => {
        this.#text += decoder.decode(chunk, { stream: true });
        this.#notify();
      },
      close: () => {
        this.#text += decoder.decode();
        this.#closed = true;
        this.#notify();
      },
      abort: () => {
        this.#closed = true;
        this.#notify();
      },
    });
  }

  /** Everything received so far. */
  get text(): string {
    return this.#text;
  }

  /** Whether the writer closed the stream (the container's end is gone). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves once `done()` holds; rejects after `timeout` ms naming `what`. */
  async until(done: () => boolean, what: string, timeout: number): Promise<void> {
    if (done()) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wake: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        wake = () => done() && resolve();
        this.#waiters.add(wake);
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `Timed out after ${timeout} ms waiting for ${what}; received ${
                  JSON.stringify(this.#text.slice(-300))
                }${this.#closed ? " (closed)" : ""}`,
              ),
            ),
          timeout,
        );
      });
    } finally {
      clearTimeout(timer);
      if (wake) this.#waiters.delete(wake);
    }
  }

  /** Waits for `needle` to appear in the text. */
  contains(needle: string, timeout: number): Promise<void> {
    return this.until(() => this.#text.includes(needle), JSON.stringify(needle), timeout);
  }

  /** Waits for the stream to be closed. */
  end(timeout: number): Promise<void> {
    return this.until(() => this.#closed, "the end of the stream", timeout);
  }

  #notify(): void {
    for (const wake of this.#waiters) wake();
  }
}
