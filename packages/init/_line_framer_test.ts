import assert from "node:assert/strict";
import { seededRandom } from "@weft/runtime/testing";
import { concatBytes } from "@weft/runtime";
import { LineFramer } from "./_line_framer.ts";

/** What the framer must give for `input`: each line cut into pieces of at most `max` bytes. */
function expected(input: string, max: number): { blocks: string; rest: string } {
  const segments = input.split("\n");
  const unfinished = segments.pop()!;
  const pieces = (line: string): string[] => {
    const out = [line.slice(0, max)];
    for (let i = max; i < line.length; i += max) out.push(line.slice(i, i + max));
    return out;
  };
  let blocks = segments.flatMap(pieces).map((piece) => `${piece}\n`).join("");
  const last = pieces(unfinished);
  const rest = last.pop()!;
  blocks += last.map((piece) => `${piece}\n`).join("");
  return { blocks, rest };
}

function frame(chunks: Uint8Array[], max: number): { blocks: Uint8Array[]; rest: string } {
  const framer = new LineFramer(max);
  const blocks = chunks.map((chunk) => framer.push(chunk)).filter((b) => b !== undefined);
  return { blocks, rest: new TextDecoder().decode(framer.rest() ?? new Uint8Array()) };
}

Deno.test("no line is ever longer than maxLine, whatever the chunks: cut after exactly maxLine bytes", () => {
  const max = 1024 * 1024;
  const chunk = new Uint8Array(64 * 1024).fill(0x61); // 64 KiB of "a", no newline
  const { blocks, rest } = frame(Array.from({ length: 40 }, () => chunk), max);
  assert.deepEqual(blocks.map((b) => b.length), [max + 1, max + 1]);
  assert.ok(blocks.every((b) => b.at(-1) === 10 && b.indexOf(10) === max));
  assert.equal(rest.length, 40 * 64 * 1024 - 2 * max);
});

Deno.test("framing equals cutting every line into maxLine pieces, for random input and chunking", () => {
  const random = seededRandom(42);
  const encoder = new TextEncoder();
  for (let round = 0; round < 300; round++) {
    const max = 1 + Math.floor(random() * 12);
    let input = "";
    const length = Math.floor(random() * 200);
    for (let i = 0; i < length; i++) input += random() < 0.15 ? "\n" : "abcdefgh"[i % 8];
    const bytes = encoder.encode(input);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = 1 + Math.floor(random() * 30);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const { blocks, rest } = frame(chunks, max);
    const want = expected(input, max);
    const got = new TextDecoder().decode(concatBytes(blocks));
    assert.equal(got, want.blocks, `round ${round}, max ${max}, input ${JSON.stringify(input)}`);
    assert.equal(rest, want.rest, `round ${round}: rest`);
    assert.ok(blocks.every((block) => block.at(-1) === 10), `round ${round}: whole lines`);
  }
});

Deno.test("maxLine must be a positive integer", () => {
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => new LineFramer(bad), RangeError);
});

Deno.test("a cut never splits a UTF-8 sequence, whatever the chunks", () => {
  const random = seededRandom(7);
  const encoder = new TextEncoder();
  const strict = new TextDecoder("utf-8", { fatal: true });
  // 4-, 2- and 3-byte characters: an emoji, e acute, the euro sign.
  const text = "ab\u{1F600}\u00e9\u20acx\u{1F600}\u{1F600}\ny\u00e9\u20ac\u{1F600}z\n";
  const bytes = encoder.encode(text);
  for (let round = 0; round < 200; round++) {
    const max = 4 + (round % 6); // at least one whole 4-byte character fits
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.length;) {
      const size = round % 3 === 0 ? 1 : 1 + Math.floor(random() * 8);
      chunks.push(bytes.subarray(at, at + size));
      at += size;
    }
    const { blocks } = frame(chunks, max);
    const lines = new TextDecoder().decode(concatBytes(blocks)).split("\n").slice(0, -1);
    for (const block of blocks) {
      let start = 0;
      for (let end = block.indexOf(10); end !== -1; end = block.indexOf(10, start)) {
        const line = block.subarray(start, end);
        assert.ok(line.length <= max, `round ${round}: a line of ${line.length} bytes`);
        assert.doesNotThrow(() => strict.decode(line), `round ${round}, max ${max}: split`);
        start = end + 1;
      }
    }
    // Nothing lost or doubled: the cut lines join back into the input's lines.
    assert.equal(lines.join(""), text.replaceAll("\n", ""), `round ${round}`);
  }
});
