import { getLogger } from "@logtape/logtape";
import { concatBytes } from "./bytes.ts";

const logger = getLogger(["weft", "runtime", "cli"]);

/** The most bytes a {@linkcode GatedPump} holds by default (1 MiB). */
export const DEFAULT_MAX_HELD = 1024 * 1024;

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
 *
 * What is held is bounded by `maxHeld` bytes (default
 * {@linkcode DEFAULT_MAX_HELD}): past it the oldest held bytes are dropped,
 * and how many is logged (a warning) when the outcome is known. The newest
 * are kept because a runtime's error message is the last thing it writes;
 * the pipe is still read meanwhile (holding back would block the runtime on
 * a full pipe, and with it the call). A cut never leaves the kept bytes
 * starting inside a UTF-8 sequence.
 */
export class GatedPump {
  #held: Uint8Array[] = [];
  /** Index of the first held chunk: dropping from the front must not be a shift per chunk. */
  #head = 0;
  #heldBytes = 0;
  #dropped = 0;
  readonly #maxHeld: number;
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
    options: { maxHeld?: number } = {},
  ) {
    this.#maxHeld = options.maxHeld ?? DEFAULT_MAX_HELD;
    if (!Number.isSafeInteger(this.#maxHeld) || this.#maxHeld < 0) {
      throw new RangeError(
        `Invalid maxHeld ${this.#maxHeld}: expected a non-negative integer (bytes)`,
      );
    }
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
        if (!this.#open) this.#hold(value);
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
    this.#reportDropped();
    if (release && this.#writer) {
      // Queued before any later chunk (and before the close): the loop
      // writes its next one after its next read.
      for (const chunk of this.#takeChunks()) this.#writer.write(chunk).catch(() => {});
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
    this.#reportDropped();
    const text = this.#takeHeld();
    this.#open = true;
    this.#decide();
    await this.#reader.cancel().catch(() => {});
    await this.#done;
    return text;
  }

  #takeHeld(): string {
    return new TextDecoder().decode(concatBytes(this.#takeChunks()));
  }

  #takeChunks(): Uint8Array[] {
    const chunks = this.#held.slice(this.#head);
    this.#held = [];
    this.#head = 0;
    this.#heldBytes = 0;
    return chunks;
  }

  /** Holds `chunk`, then drops the oldest bytes over `maxHeld`. */
  #hold(chunk: Uint8Array): void {
    this.#held.push(chunk);
    this.#heldBytes += chunk.length;
    if (this.#heldBytes <= this.#maxHeld) return;
    while (this.#heldBytes > this.#maxHeld) {
      const first = this.#held[this.#head];
      const excess = this.#heldBytes - this.#maxHeld;
      if (first.length <= excess) {
        this.#head++;
        this.#drop(first.length);
      } else {
        this.#held[this.#head] = first.subarray(excess);
        this.#drop(excess);
      }
    }
    // Not from the middle of a character: up to 3 continuation bytes go too.
    const first = this.#held[this.#head];
    let n = 0;
    while (first !== undefined && n < 3 && n < first.length && (first[n] & 0xc0) === 0x80) n++;
    if (n > 0) {
      this.#held[this.#head] = first.subarray(n);
      this.#drop(n);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#held.length) {
      this.#held = this.#held.slice(this.#head);
      this.#head = 0;
    }
  }

  #drop(bytes: number): void {
    this.#heldBytes -= bytes;
    this.#dropped += bytes;
  }

  #reportDropped(): void {
    if (this.#dropped === 0) return;
    logger.warn(
      "More than {maxHeld} bytes came on stderr while the runtime ran: the oldest {dropped} were dropped",
      { maxHeld: this.#maxHeld, dropped: this.#dropped },
    );
  }
}
