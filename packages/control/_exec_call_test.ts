import assert from "node:assert/strict";
import type { ExecCapability, ExecOptions, Runtime } from "@weft/runtime";
import { execStream } from "./_exec_call.ts";

/** A runtime whose exec writes `bytes` of output without waiting for them to be taken, then exits 0. */
function chattyRuntime(bytes: number): Runtime & ExecCapability {
  return {
    name: "fake",
    exec: (_id: string, _args: readonly string[], options?: ExecOptions) => {
      const stdout = options?.stdio?.stdout as WritableStream<Uint8Array>;
      // As a real runtime: the process ends whether or not its output was read.
      stdout.getWriter().write(new Uint8Array(bytes).fill(120)).catch(() => {});
      return Promise.resolve({ code: 0 });
    },
  } as unknown as Runtime & ExecCapability;
}

Deno.test("an exec whose client reads nothing frees its stream slot once the exec ended", async () => {
  const ended = Promise.withResolvers<void>();
  const body = execStream(chattyRuntime(1 << 20), "web", { args: ["yes"], timeout: 60_000 }, {
    signal: new AbortController().signal,
    onEnd: () => ended.resolve(),
    finishTimeout: 50,
  });
  // Nobody reads `body`: the output fills the buffer and the exit frame cannot be sent.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("still held"), 15_000);
  });
  try {
    assert.equal(await Promise.race([ended.promise.then(() => "freed"), deadline]), "freed");
  } finally {
    clearTimeout(timer);
  }
  // What the client reads afterwards is cut short, with a clear reason, not an exit code.
  const reader = body.getReader();
  const error = await (async () => {
    try {
      for (;;) if ((await reader.read()).done) return undefined;
    } catch (error) {
      return error as Error;
    }
  })();
  assert.ok(error instanceof Error, "the stream was not cut");
  assert.match(error.message, /did not read the rest of the exec's output within 50 ms/);
});

Deno.test("an exec whose client reads gets its output and exit code", async () => {
  const ended = Promise.withResolvers<void>();
  const body = execStream(chattyRuntime(100_000), "web", { args: ["yes"], timeout: 60_000 }, {
    signal: new AbortController().signal,
    onEnd: () => ended.resolve(),
    finishTimeout: 50,
  });
  const text = await new Response(body).text();
  assert.match(text, /\{"exit":0\}\n$/);
  await ended.promise; // the slot is freed (else the test never ends)
});
