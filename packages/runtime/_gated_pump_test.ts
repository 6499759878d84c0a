import assert from "node:assert/strict";
import { captureLogs } from "./testing/capture_logs.ts";
import { GatedPump } from "./_gated_pump.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

interface Setup {
  feed: WritableStreamDefaultWriter<Uint8Array>;
  pump: GatedPump;
  sink: () => string;
  ended: Promise<void>;
  settle: () => Promise<unknown>;
}

/** A source fed by hand, a sink that collects, and a pump between them. */
function setup(): Setup {
  const source = new TransformStream<Uint8Array, Uint8Array>();
  const feed = source.writable.getWriter();
  let text = "";
  let closed!: () => void;
  const ended = new Promise<void>((resolve) => closed = resolve);
  const sink = new WritableStream<Uint8Array>({
    write: (chunk) => {
      text += new TextDecoder().decode(chunk);
    },
    close: closed,
  });
  const pump = new GatedPump(source.readable, sink, (error) => {
    throw error;
  });
  // Lets the pump's read loop take every chunk written so far.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { feed, pump, sink: () => text, ended, settle };
}

Deno.test("open() drops what came while the runtime ran and passes what follows", async () => {
  const { feed, pump, sink, ended, settle } = setup();
  await feed.write(bytes("runtime chatter\n"));
  await settle();
  assert.equal(pump.open(), "runtime chatter\n");
  await feed.write(bytes("container line\n"));
  await feed.close();
  await ended;
  assert.equal(sink(), "container line\n");
});

Deno.test("open(true) releases what was held to the sink first, in order", async () => {
  const { feed, pump, sink, ended, settle } = setup();
  await feed.write(bytes("early 1\n"));
  await feed.write(bytes("early 2\n"));
  await settle();
  assert.equal(pump.open(true), "");
  await feed.write(bytes("late\n"));
  await feed.close();
  await ended;
  assert.equal(sink(), "early 1\nearly 2\nlate\n");
});

Deno.test("fail() gives the held text as the runtime's message and the sink gets none", async () => {
  const { feed, pump, sink, settle } = setup();
  await feed.write(bytes("runc run failed: invalid rootfs\n"));
  await settle();
  const closing = feed.close();
  // The pipe has ended: fail() must not wait out its limit for it.
  const began = Date.now();
  assert.equal(await pump.fail(60_000), "runc run failed: invalid rootfs\n");
  assert.ok(Date.now() - began < 30_000, "fail() waited for a pipe that had ended");
  await closing.catch(() => {});
  assert.equal(sink(), "");
});

Deno.test("open(true) after the pipe ended still delivers the held bytes, then closes", async () => {
  const { feed, pump, sink, ended, settle } = setup();
  // A container that wrote and exited before `run --detach` returned.
  await feed.write(bytes("all of it\n"));
  await feed.close();
  await settle();
  assert.equal(sink(), "");
  pump.open(true);
  await ended;
  assert.equal(sink(), "all of it\n");
});

/** A stream of `count` chunks of `size` bytes, chunk i filled with the letter i (a, b, c...). */
function flood(count: number, size: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller): void {
      if (i === count) return controller.close();
      controller.enqueue(new Uint8Array(size).fill(97 + i++));
    },
  });
}

Deno.test("held bytes are bounded by maxHeld: the oldest are dropped, counted and logged", async () => {
  await using logs = await captureLogs(["weft", "runtime"]);
  const records = logs.records;
  // 10 chunks of 300 bytes, 1000 kept: the last three whole, and 100 bytes of the one before.
  const pump = new GatedPump(flood(10, 300), undefined, (error) => {
    throw error;
  }, { maxHeld: 1000 });
  const text = await pump.fail(60_000);
  assert.equal(text, "g".repeat(100) + "h".repeat(300) + "i".repeat(300) + "j".repeat(300));
  const warning = records.find((r) => r.level === "warning");
  assert.ok(warning, "the drop was not logged");
  assert.equal(warning.properties.dropped, 2000);
});

Deno.test("open(true) past maxHeld releases the newest held bytes, then what follows", async () => {
  let text = "";
  const closed = Promise.withResolvers<void>();
  const sink = new WritableStream<Uint8Array>({
    write: (chunk) => void (text += new TextDecoder().decode(chunk)),
    close: () => closed.resolve(),
  });
  const pump = new GatedPump(flood(4, 256), sink, (error) => {
    throw error;
  }, { maxHeld: 512 });
  // The flood is in memory: the pump has read all of it (in microtasks) by the next task.
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(pump.open(true), "");
  await closed.promise;
  assert.equal(text, "c".repeat(256) + "d".repeat(256));
});

Deno.test("the kept bytes never begin inside a UTF-8 sequence", async () => {
  const text = "\u00e9".repeat(100); // 2 bytes each: keeping an odd count would start mid-character
  const source = new Blob([text]).stream();
  const pump = new GatedPump(source, undefined, (error) => {
    throw error;
  }, { maxHeld: 51 });
  assert.equal(await pump.fail(60_000), "\u00e9".repeat(25));
});
