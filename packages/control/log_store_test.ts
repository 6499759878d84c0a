import assert from "node:assert/strict";
import { LogStore } from "./log_store.ts";
import { SeqRing } from "./seq_ring.ts";

Deno.test("a line longer than maxLineLength is cut there and marked", () => {
  const store = new LogStore({ maxLineLength: 4 });
  store.append("web", "stderr", "123456");
  store.append("web", "stdout", "1234");
  assert.deepEqual(store.ring("web").read(0).entries.map((e) => e.value), [
    {
      at: store.ring("web").read(0).entries[0].value.at,
      stream: "stderr",
      line: "1234",
      truncated: true,
    },
    { at: store.ring("web").read(0).entries[1].value.at, stream: "stdout", line: "1234" },
  ]);
  assert.throws(() => new LogStore({ maxLineLength: 0 }), RangeError);
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

Deno.test("the ring wraps in place: every cursor reads the right values across many wraps", () => {
  const ring = new SeqRing<number>(7);
  for (let n = 1; n <= 100; n++) {
    ring.push(n);
    for (const after of [0, n - 9, n - 7, n - 3, n - 1, n]) {
      const { missed, entries } = ring.read(after, 4);
      const from = Math.max(after + 1, n - 6, 1);
      assert.equal(missed, Math.max(0, from - (after + 1)), `n=${n} after=${after}`);
      const expected = [];
      for (let seq = from; seq <= Math.min(n, from + 3); seq++) expected.push({ seq, value: seq });
      assert.deepEqual(entries, expected, `n=${n} after=${after}`);
    }
  }
});

Deno.test("abandoned waits leave nothing behind in the ring", async () => {
  const ring = new SeqRing<number>(4);
  for (let i = 0; i < 1000; i++) {
    const controller = new AbortController();
    const wait = ring.changed(0, controller.signal);
    controller.abort();
    await wait;
  }
  assert.equal(ring.waiting, 0);
  const woke = ring.changed(0);
  assert.equal(ring.waiting, 1);
  ring.push(1);
  await woke;
  assert.equal(ring.waiting, 0);
});

Deno.test("after close, appending changes nothing and every ring, new ones included, is closed", () => {
  const store = new LogStore();
  store.append("web", "stdout", "before");
  store.close();
  store.append("web", "stdout", "after");
  store.append("late", "stderr", "after");
  assert.deepEqual(store.ring("web").read(0).entries.map((e) => e.value.line), ["before"]);
  assert.equal(store.ring("web").closed, true);
  // A container first heard of after the close: its followers end at once, with nothing.
  assert.equal(store.ring("late").last, 0);
  assert.equal(store.ring("late").closed, true);
});

Deno.test("a cut never splits a surrogate pair", () => {
  const store = new LogStore({ maxLineLength: 4 });
  store.append("web", "stdout", "abc\u{1F600}def"); // the emoji is code units 3 and 4
  store.append("web", "stdout", "ab\u{1F600}cdef"); // the emoji is code units 2 and 3: kept whole
  const [first, second] = store.ring("web").read(0).entries.map((e) => e.value);
  assert.deepEqual([first.line, first.truncated], ["abc", true]);
  assert.deepEqual([second.line, second.truncated], ["ab\u{1F600}", true]);
  for (const { line } of [first, second]) assert.ok(line.isWellFormed(), JSON.stringify(line));
});
