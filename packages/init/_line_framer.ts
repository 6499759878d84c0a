import { concatBytes } from "@weft/runtime";

const NEWLINE = 10;
const NEWLINE_BYTES = new Uint8Array([NEWLINE]);

/**
 * Cuts a byte stream into blocks of whole lines: each block is one or more
 * lines, each ending with a newline, so that a consumer can write a block in
 * one call (a batch) and never split a line. What follows the last newline
 * of a chunk is kept until its newline comes. A line longer than `maxLine`
 * bytes is cut after `maxLine` bytes (a newline is added there, and the rest
 * is the next line), so that no line of a block and nothing kept is ever
 * longer than `maxLine`, whatever the chunks. When that would split a UTF-8
 * sequence, the cut is made before it (up to 3 bytes earlier; not when the
 * line would then be empty), so that each piece of UTF-8 text stays valid.
 */
export class LineFramer {
  readonly #maxLine: number;
  #carry: Uint8Array[] = [];
  #carried = 0;

  constructor(maxLine: number) {
    if (!Number.isSafeInteger(maxLine) || maxLine < 1) {
      throw new RangeError(`Invalid maxLine ${maxLine}: expected a positive integer`);
    }
    this.#maxLine = maxLine;
  }

  /** The whole lines that `chunk` completes, as one block; `undefined` when none. */
  push(chunk: Uint8Array): Uint8Array | undefined {
    // No line can pass the bound within this chunk: its lines are kept whole.
    if (this.#carried + chunk.length <= this.#maxLine) return this.#pushWhole(chunk);
    const parts: Uint8Array[] = [];
    let start = 0;
    while (start < chunk.length) {
      const room = this.#maxLine - this.#carried;
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      if (end - start > room) {
        const piece = concatBytes([...this.#take(), chunk.subarray(start, start + room)]);
        const split = splitSequenceLength(piece);
        parts.push(piece.subarray(0, piece.length - split), NEWLINE_BYTES);
        // The split sequence's first bytes begin the next piece.
        if (split > 0) this.#keep(piece.subarray(piece.length - split));
        start += room;
      } else if (newline === -1) {
        this.#keep(chunk.subarray(start));
        break;
      } else {
        parts.push(...this.#take(), chunk.subarray(start, newline + 1));
        start = newline + 1;
      }
    }
    return parts.length === 0 ? undefined : concatBytes(parts);
  }

  /** The unfinished last line, without a newline; `undefined` when there is none. */
  rest(): Uint8Array | undefined {
    if (this.#carried === 0) return undefined;
    return concatBytes(this.#take());
  }

  #pushWhole(chunk: Uint8Array): Uint8Array | undefined {
    const last = chunk.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.#keep(chunk);
      return undefined;
    }
    const block = this.#carried === 0
      ? chunk.subarray(0, last + 1)
      : concatBytes([...this.#take(), chunk.subarray(0, last + 1)]);
    if (last + 1 < chunk.length) this.#keep(chunk.subarray(last + 1));
    return block;
  }

  /** What is kept, now handed over. */
  #take(): Uint8Array[] {
    const carry = this.#carry;
    this.#carry = [];
    this.#carried = 0;
    return carry;
  }

  #keep(bytes: Uint8Array): void {
    // Copied: the reader may reuse the chunk's buffer.
    this.#carry.push(bytes.slice());
    this.#carried += bytes.length;
  }
}

/**
 * How many bytes at the end of `bytes` are the start of a UTF-8 sequence
 * that they do not complete (0 to 3), unless they are all of `bytes`: the
 * bytes to move past a cut. Not UTF-8 (no lead byte there): 0.
 */
function splitSequenceLength(bytes: Uint8Array): number {
  for (let i = 1; i <= 3 && i < bytes.length; i++) {
    const byte = bytes[bytes.length - i];
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    if ((byte & 0xc0) !== 0xc0) return 0; // ASCII: the cut is between characters
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return i < length ? i : 0;
  }
  return 0;
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
