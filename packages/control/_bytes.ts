// Bounded reads of a body, for both ends of the API: neither a client's
// request nor a server's answer can make the other side buffer without end.
import { concatBytes } from "@weft/runtime";

/**
 * The whole of `body` if it is at most `maxBytes` long, else undefined (the
 * rest is cancelled unread). A missing body is empty.
 */
export async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) return undefined; // leaving the loop cancels the body
    chunks.push(chunk);
  }
  return concatBytes(chunks);
}

/**
 * The lines of `body` (split at `\n`, which UTF-8 never uses inside a
 * character), each at most `maxBytes` long; `tooLong` makes the error thrown
 * for a longer one, and the rest of the body is then cancelled unread.
 */
export async function* boundedLines(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLong: () => Error,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      if (size + piece.length > maxBytes) throw tooLong();
      parts.push(piece);
      yield decoder.decode(concatBytes(parts));
      parts = [];
      size = 0;
      start = end + 1;
    }
    const rest = chunk.subarray(start);
    size += rest.length;
    if (size > maxBytes) throw tooLong();
    if (rest.length > 0) parts.push(rest);
  }
  if (size > 0) yield decoder.decode(concatBytes(parts));
}
