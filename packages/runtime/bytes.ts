/**
 * The chunks joined into one array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes } from "@weft/runtime";
 *
 * assert.deepEqual(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]), new Uint8Array([1, 2, 3]));
 * ```
 */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Writes all of `data` to `sink`, whose `writeSync` may write only part of
 * it (as `Deno.stderr.writeSync` does with a pipe that is nearly full).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAllSync } from "@weft/runtime";
 *
 * const seen: number[] = [];
 * // A sink that takes one byte per call.
 * writeAllSync({ writeSync: (data) => (seen.push(data[0]), 1) }, new Uint8Array([7, 8, 9]));
 * assert.deepEqual(seen, [7, 8, 9]);
 * ```
 */
export function writeAllSync(
  sink: { writeSync(data: Uint8Array): number },
  data: Uint8Array,
): void {
  let offset = 0;
  while (offset < data.length) offset += sink.writeSync(data.subarray(offset));
}

/**
 * Writes all of `data` to `sink`, whose `write` may write only part of it (as
 * `Deno.Conn.write` may, on a socket whose buffer is nearly full): the
 * asynchronous {@linkcode writeAllSync}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAll } from "@weft/runtime";
 *
 * const seen: number[] = [];
 * // A sink that takes one byte per call.
 * await writeAll({ write: (data) => Promise.resolve((seen.push(data[0]), 1)) }, new Uint8Array([7, 8, 9]));
 * assert.deepEqual(seen, [7, 8, 9]);
 * ```
 */
export async function writeAll(
  sink: { write(data: Uint8Array): Promise<number> },
  data: Uint8Array,
): Promise<void> {
  let offset = 0;
  while (offset < data.length) offset += await sink.write(data.subarray(offset));
}
