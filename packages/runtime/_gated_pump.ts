import { concatBytes } from "./bytes.ts";
/**
 * Reads the stderr pipe of a `create`-like runtime call. While the runtime
 * runs, whatever arrives is held back: after `create` it is the runtime's
 * own (the container cannot run its entrypoint before `start`); after
 * `run --detach` it may be the entrypoint's. Once the call succeeded, the
 * held bytes are dropped (`open()`) or released to `sink` (`open(true)`),
 * and later bytes are the container's and flow to `sink` (or are drained
 * when there is none, which keeps the pipe from filling). Once it failed,
 * the held bytes are the runtime's message and never reach the container's
 * stream.
 */
export class GatedPump {
  #held: Uint8Array[] = [];
  #open = false;
  #done: Promise<void>;
  #eof!: () => void;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #writer?: WritableStreamDefaultWriter<Uint8Array>;
  #onError: (error: unknown) => void;
  readonly #eofSeen: Promise<void>;
  #decide!: () => void;
  /** Resolves once the call's outcome is known (`open` or `fail`). */
  readonly #decided = new Promise<void>((resolve) => this.#decide = resolve);

  constructor(
    source: ReadableStream<Uint8Array>,
    sink: WritableStream<Uint8Array> | undefined,
    onError: (error: unknown) => void,
  ) {
    this.#reader = source.getReader();
    this.#writer = sink?.getWriter();
    this.#onError = onError;
    this.#eofSeen = new Promise((resolve) => this.#eof = resolve);
    this.#done = this.#loop();
  }

  async #loop(): Promise<void> {
    try {
      while (true) {
        const { value, done } = await this.#reader.read();
        if (done) break;
        if (!this.#open) this.#held.push(value);
        else if (this.#writer) await this.#writer.write(value);
      }
      this.#eof();
      // The pipe may end before the runtime's call does (a container that
      // exits at once): held bytes wait for the outcome before the sink closes.
      await this.#decided;
      await this.#writer?.close();
    } catch (error) {
      this.#onError(error);
      await this.#reader.cancel().catch(() => {});
      await this.#writer?.abort(error).catch(() => {});
    } finally {
      this.#eof();
    }
  }

  /**
   * The call succeeded: let the container's bytes flow, and drop what was
   * held (returned as text), or with `release` send it on first, in order.
   */
  open(release = false): string {
    this.#open = true;
    this.#decide();
    if (release && this.#writer) {
      // Queued before any later chunk (and before the close): the loop
      // writes its next one after its next read.
      for (const chunk of this.#held) this.#writer.write(chunk).catch(() => {});
      this.#held = [];
      return "";
    }
    return this.#takeHeld();
  }

  /**
   * The call failed: waits up to `waitMs` for the pipe to close (the
   * runtime's helper processes may still hold it), stops reading and closes
   * the sink, and returns the runtime's text.
   */
  async fail(waitMs: number): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.#eofSeen,
      new Promise<void>((resolve) => timer = setTimeout(resolve, waitMs)),
    ]);
    clearTimeout(timer);
    const text = this.#takeHeld();
    this.#open = true;
    this.#decide();
    await this.#reader.cancel().catch(() => {});
    await this.#done;
    return text;
  }

  #takeHeld(): string {
    const text = new TextDecoder().decode(concatBytes(this.#held));
    this.#held = [];
    return text;
  }
}
