import { SeqRing } from "./seq_ring.ts";

/**
 * One line a container wrote, as the log ring keeps it.
 *
 * @example
 * ```ts
 * import type { LogLine } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const line: LogLine = { at: Date.now(), stream: "stdout", line: "ready" };
 * assert.ok(line.line);
 * ```
 */
export interface LogLine {
  /** When the line was received (epoch milliseconds). */
  at: number;
  /** The stream it came on. */
  stream: "stdout" | "stderr";
  /** The text, without its newline (invalid UTF-8 shown as U+FFFD). */
  line: string;
  /** Set when the line was longer than the store's `maxLineLength` and was cut there. */
  truncated?: true;
}

/**
 * Options of {@linkcode LogStore}.
 *
 * @example
 * ```ts
 * import { LogStore, type LogStoreOptions } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const options: LogStoreOptions = { lines: 500, maxLineLength: 4096 };
 * const store = new LogStore(options);
 * assert.ok(store.lines);
 * ```
 */
export interface LogStoreOptions {
  /** Lines kept per container (both streams together). @default {1000} */
  lines?: number;
  /**
   * UTF-16 code units kept of one line; the rest is dropped and the line
   * marked `truncated`. A cut that would split a surrogate pair is made
   * before it (the line is then one unit shorter), so a kept line is always
   * well-formed text. @default {8192}
   */
  maxLineLength?: number;
}

/**
 * Lines kept per container by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_LOG_LINES } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_LOG_LINES, 1000);
 * ```
 */
export const DEFAULT_LOG_LINES = 1000;
/**
 * Characters kept of one line by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_LINE_LENGTH } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_LINE_LENGTH, 8192);
 * ```
 */
export const DEFAULT_MAX_LINE_LENGTH = 8192;

/**
 * The bounded in-memory log of each container: a {@linkcode SeqRing} of its
 * last lines, fed with what the container writes and read by the control
 * API's `logs` call (tail and follow); weft-init appends every line its
 * containers write (the line tap of `openContainerStdio`). Memory is bounded by
 * `lines x maxLineLength` per container; appending never waits for a reader.
 *
 * @example
 * ```ts
 * import { LogStore } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const store = new LogStore({ lines: 2 });
 * for (const line of ["one", "two", "three"]) store.append("web", "stdout", line);
 * const lines = store.ring("web").read(0).entries.map((e) => e.value.line);
 * assert.deepEqual(lines, ["two", "three"]);
 * ```
 */
export class LogStore {
  readonly #rings = new Map<string, SeqRing<LogLine>>();
  readonly #lines: number;
  readonly #maxLineLength: number;
  #closed = false;

  /** An empty store. */
  constructor(options: LogStoreOptions = {}) {
    this.#lines = options.lines ?? DEFAULT_LOG_LINES;
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    if (!Number.isInteger(this.#maxLineLength) || this.#maxLineLength < 1) {
      throw new RangeError(
        `Invalid maxLineLength ${this.#maxLineLength}: expected an integer of at least 1`,
      );
    }
    new SeqRing(this.#lines); // checks the capacity now rather than at the first line
  }

  /** Lines kept per container. */
  get lines(): number {
    return this.#lines;
  }

  /** The ring of container `id` (created empty on first use; closed at once after {@linkcode LogStore.close}). */
  ring(id: string): SeqRing<LogLine> {
    let ring = this.#rings.get(id);
    if (!ring) {
      ring = new SeqRing(this.#lines);
      // A follower of a container first named after the close must end, not wait.
      if (this.#closed) ring.close();
      this.#rings.set(id, ring);
    }
    return ring;
  }

  /** Appends one line (without its newline) to the ring of `id`; after {@linkcode LogStore.close}, nothing. */
  append(id: string, stream: LogLine["stream"], line: string): void {
    if (this.#closed) return;
    const entry: LogLine = { at: Date.now(), stream, line };
    if (line.length > this.#maxLineLength) {
      let end = this.#maxLineLength;
      if (isHighSurrogate(line.charCodeAt(end - 1))) end--;
      entry.line = line.slice(0, end);
      entry.truncated = true;
    }
    this.ring(id).push(entry);
  }

  /**
   * Ends every ring: followers get what is left, then the end of their
   * stream. Later appends are dropped (container output keeps coming while
   * the pod stops), and rings asked for later are closed already.
   */
  close(): void {
    this.#closed = true;
    for (const ring of this.#rings.values()) ring.close();
  }
}

/** The first half of a surrogate pair: a cut after it would leave it alone. */
function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
