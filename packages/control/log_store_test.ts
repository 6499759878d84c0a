import assert from "node:assert/strict";
import { LogStore } from "./log_store.ts";
import { SeqRing } from "./seq_ring.ts";

async function feed(store: LogStore, chunks: (string | Uint8Array)[]): Promise<string[]> {
  const writer = store.writer("web", "stdout").getWriter();
  for (const chunk of chunks) {
    await writer.write(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
  }
  await writer.close();
  return store.ring("web").read(0).entries.map((entry) =>
    entry.value.line + (entry.value.truncated ? " [cut]" : "")
  );
}

Deno.test("the log writer splits lines across chunks and keeps a last line without newline", async () => {
  assert.deepEqual(await feed(new LogStore(), ["a\nb", "c\n\nd"]), ["a", "bc", "", "d"]);
});

Deno.test("a character split between chunks is decoded whole", async () => {
  const bytes = new TextEncoder().encode("\u00e9\n");
  assert.deepEqual(await feed(new LogStore(), [bytes.subarray(0, 1), bytes.subarray(1)]), [
    "\u00e9",
  ]);
});

Deno.test("an endless line is cut at maxLineLength and its rest dropped up to the next newline", async () => {
  const store = new LogStore({ maxLineLength: 4 });
  assert.deepEqual(await feed(store, ["abcdef", "ghij", "kl\nok\n"]), ["abcd [cut]", "ok"]);
  const whole = new LogStore({ maxLineLength: 4 });
  whole.append("web", "stderr", "123456");
  assert.deepEqual(whole.ring("web").read(0).entries[0].value.line, "1234");
});

Deno.test("the ring keeps only its last lines and counts what a reader missed", () => {
  const ring = new SeqRing<number>(3);
  for (let i = 1; i <= 10; i++) ring.push(i);
  assert.equal(ring.last, 10);
  assert.deepEqual(ring.read(0), {
    missed: 7,
    entries: [{ seq: 8, value: 8 }, { seq: 9, value: 9 }, { seq: 10, value: 10 }],
  });
  assert.deepEqual(ring.read(9, 5).entries, [{ seq: 10, value: 10 }]);
  assert.deepEqual(ring.read(10), { missed: 0, entries: [] });
  assert.deepEqual(ring.read(8, 1).entries, [{ seq: 9, value: 9 }]);
  assert.throws(() => new SeqRing(0), RangeError);
});

Deno.test("a waiting reader wakes on push and on close, and an aborted wait resolves", async () => {
  const ring = new SeqRing<string>(2);
  const woke = ring.changed(0);
  ring.push("x");
  await woke;
  const controller = new AbortController();
  const abandoned = ring.changed(1, controller.signal);
  controller.abort();
  await abandoned;
  const closing = ring.changed(1);
  ring.close();
  await closing;
  assert.equal(ring.push("late"), 1);
  assert.ok(ring.closed);
});
