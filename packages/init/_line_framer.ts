import { concatBytes } from "@weft/runtime";

const NEWLINE = 10;

/**
 * Cuts a byte stream into blocks of whole lines: each block is one or more
 * lines, each ending with a newline, so that a consumer can write a block in
 * one call (a batch) and never split a line. What follows the last newline
 * of a chunk is kept until its newline comes. A line longer than `maxLine`
 * bytes is cut there (a newline is added), so that a stream without
 * newlines cannot grow the buffer without bound.
 */
export class LineFramer {
  readonly #maxLine: number;
  #carry: Uint8Array[] = [];
  #carried = 0;

  constructor(maxLine: number) {
    this.#maxLine = maxLine;
  }

  /** The whole lines that `chunk` completes, as one block; `undefined` when none. */
  push(chunk: Uint8Array): Uint8Array | undefined {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.#keep(chunk);
      return this.#carried > this.#maxLine ? this.#cut() : undefined;
    }
    let block: Uint8Array;
    if (this.#carried === 0) {
      block = chunk.subarray(0, last + 1);
    } else {
      block = concatBytes([...this.#carry, chunk.subarray(0, last + 1)]);
      this.#carry = [];
      this.#carried = 0;
    }
    if (last + 1 < chunk.length) this.#keep(chunk.subarray(last + 1));
    return block;
  }

  /** The unfinished last line, without a newline; `undefined` when there is none. */
  rest(): Uint8Array | undefined {
    if (this.#carried === 0) return undefined;
    const rest = concatBytes(this.#carry);
    this.#carry = [];
    this.#carried = 0;
    return rest;
  }

  #keep(bytes: Uint8Array): void {
    // Copied: the reader may reuse the chunk's buffer.
    this.#carry.push(bytes.slice());
    this.#carried += bytes.length;
  }

  #cut(): Uint8Array {
    const line = concatBytes([...this.#carry, new Uint8Array([NEWLINE])]);
    this.#carry = [];
    this.#carried = 0;
    return line;
  }
}

/** Calls `each(start, end)` for every line of `block` (`end` at its newline, excluded). */
export function forEachLine(block: Uint8Array, each: (start: number, end: number) => void): void {
  let start = 0;
  for (let end = block.indexOf(NEWLINE); end !== -1; end = block.indexOf(NEWLINE, start)) {
    each(start, end);
    start = end + 1;
  }
}

/** `block` with `prefix` in front of every line, in one buffer. */
export function prefixEachLine(prefix: Uint8Array, block: Uint8Array): Uint8Array {
  // Native scans and copies: a byte loop in JS is several times slower here.
  const ends: number[] = [];
  for (let i = block.indexOf(NEWLINE); i !== -1; i = block.indexOf(NEWLINE, i + 1)) ends.push(i);
  const out = new Uint8Array(block.length + ends.length * prefix.length);
  let offset = 0;
  let start = 0;
  for (const end of ends) {
    out.set(prefix, offset);
    offset += prefix.length;
    out.set(block.subarray(start, end + 1), offset);
    offset += end + 1 - start;
    start = end + 1;
  }
  return out;
}
