// The client against servers that misbehave (on 127.0.0.1): what they send
// is bounded before it is buffered.
import assert from "node:assert/strict";
import { ControlClient, type ControlClientOptions, ControlError } from "./mod.ts";

/** Serves `handler` on a free port of 127.0.0.1 and gives a client of it. */
async function withHostile(
  handler: (request: Request) => Response,
  fn: (client: ControlClient) => Promise<void>,
  maxFrameBytes?: number,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  const client = new ControlClient(
    { transport: "tcp", hostname: "127.0.0.1", port: server.addr.port },
    { timeout: 5_000, maxFrameBytes },
  );
  try {
    await fn(client);
  } finally {
    client.close();
    await server.shutdown();
  }
}

/** A body of `lines` (each sent as its own chunk), then `tail` sent in chunks of 16 KiB. */
function body(lines: string[], tail: { byte: string; size: number }): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const queue = lines.map((line) => encoder.encode(line));
  let left = tail.size;
  return new ReadableStream({
    pull(controller): void {
      const next = queue.shift();
      if (next) return controller.enqueue(next);
      if (left === 0) return controller.close();
      const size = Math.min(left, 16_384);
      left -= size;
      controller.enqueue(encoder.encode(tail.byte.repeat(size)));
    },
  }, { highWaterMark: 0 });
}

Deno.test("a stream line longer than maxFrameBytes ends the stream with a clear error", async () => {
  const exact = `"${"a".repeat(65_536 - 2)}"`; // a frame of exactly the bound passes
  await withHostile(
    () => new Response(body([`{"seq": 1}\n`, `${exact}\n`], { byte: "x", size: 1 << 20 })),
    async (client) => {
      const frames: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const frame of client.events()) frames.push(frame);
        })(),
        (error: ControlError) => {
          assert.ok(error instanceof ControlError);
          assert.equal(error.code, "frame-too-large");
          assert.match(error.message, /sent a line longer than 65536 bytes \(maxFrameBytes\)/);
          return true;
        },
      );
      assert.deepEqual(frames, [{ seq: 1 }, exact.slice(1, -1)]);
    },
    65_536,
  );
});

Deno.test("an error answer is read up to 64 KiB, never whole", async () => {
  await withHostile(
    () => new Response(body([], { byte: "y", size: 1 << 20 }), { status: 500 }),
    async (client) => {
      await assert.rejects(client.health(), (error: ControlError) => {
        assert.ok(error instanceof ControlError);
        assert.equal(error.status, 500);
        assert.match(error.message, /refused \(500\): \(an error answer of more than 65536 bytes/);
        assert.ok(error.message.length < 200, `${error.message.length} characters`);
        return true;
      });
    },
  );
});

Deno.test("maxFrameBytes must be a positive integer", () => {
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(
      () => new ControlClient({ transport: "unix", path: "/x" }, { maxFrameBytes: bad }),
      /Invalid maxFrameBytes/,
    );
  }
});

Deno.test("a call given an already aborted signal is not sent", async () => {
  let calls = 0;
  await withHostile(
    () => (calls++, new Response(`{"seq": 1}\n`)),
    async (client) => {
      const signal = AbortSignal.abort(new Error("gave up before asking"));
      await assert.rejects(
        (async () => {
          for await (const _ of client.events({ follow: true, signal })) { /* none */ }
        })(),
        /gave up before asking/,
      );
      assert.equal(calls, 0);
    },
  );
});

/** Serves `handler` on a Unix socket in a temporary directory and gives a client of it. */
async function withUnixServer(
  handler: (request: Request) => Response,
  fn: (client: ControlClient) => Promise<void>,
  options: ControlClientOptions = {},
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/control.sock`;
  const server = Deno.serve({ transport: "unix", path, onListen: () => {} }, handler);
  const client = new ControlClient({ transport: "unix", path }, { timeout: 5_000, ...options });
  try {
    await fn(client);
  } finally {
    client.close();
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A signal that counts the abort listeners added to it and not yet removed. */
function countingSignal(): { signal: AbortSignal; live(): number } {
  const signal = new AbortController().signal;
  const listeners = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  type Listen = (type: string, listener: EventListener, options?: boolean) => void;
  (signal.addEventListener as Listen) = (type, listener, options): void => {
    if (type === "abort") listeners.add(listener);
    add(type, listener, options);
  };
  (signal.removeEventListener as Listen) = (type, listener, options): void => {
    if (type === "abort") listeners.delete(listener);
    remove(type, listener, options);
  };
  return { signal, live: () => listeners.size };
}

Deno.test("a signal used for many calls keeps no listener of the calls that ended", async () => {
  await withUnixServer(
    (request) => {
      const path = new URL(request.url).pathname;
      if (path.includes("/gone/")) {
        return Response.json({ error: { code: "not-found", message: "no" } }, { status: 404 });
      }
      return new Response(
        path.endsWith("/exec") ? `{"stdout": "hi"}\n{"exit": 0}\n` : `{"seq": 1}\n`,
      );
    },
    async (client) => {
      const { signal, live } = countingSignal();
      for (let i = 0; i < 1000; i++) {
        for await (const _ of client.events({ signal })) { /* one frame */ }
      }
      for (let i = 0; i < 100; i++) {
        assert.equal((await client.exec("web", ["true"], { signal })).code, 0);
      }
      // Leaving a stream early ends its call too.
      for await (const _ of client.logs("web", { signal })) break;
      // A call that fails also ends.
      await assert.rejects(client.exec("gone", ["true"], { signal }), ControlError);
      assert.equal(live(), 0);
    },
  );
});

Deno.test("an answer that is not JSON is a ControlError naming the call", async () => {
  await withUnixServer(
    (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/v1/events") return new Response(`{"seq": 1}\n<html>oops</html>\n`);
      return new Response("<html>not the control API</html>");
    },
    async (client) => {
      const notJson = (call: RegExp) => (error: Error): boolean => {
        assert.ok(error instanceof ControlError, `${error.name}: ${error.message}`);
        assert.equal(error.name, "ControlError");
        assert.equal(error.code, "not-json");
        assert.match(error.message, call);
        assert.match(error.message, /was not JSON/);
        assert.match(error.message, /unix:.*control\.sock/);
        return true;
      };
      await assert.rejects(client.health(), notJson(/^GET \/v1\/health: /));
      await assert.rejects(client.status(), notJson(/^GET \/v1\/status: /));
      await assert.rejects(client.container("web"), notJson(/^GET \/v1\/containers\/web: /));
      const frames: unknown[] = [];
      await assert.rejects(
        (async () => {
          for await (const frame of client.events()) frames.push(frame);
        })(),
        notJson(/^GET \/v1\/events\?after=0: /),
      );
      assert.deepEqual(frames, [{ seq: 1 }]);
      await assert.rejects(
        client.exec("web", ["true"]),
        notJson(/^POST \/v1\/containers\/web\/exec: /),
      );
    },
  );
});

Deno.test("an answer over maxFrameBytes, or an exec line that is JSON but no frame, is a ControlError", async () => {
  const lines = ["null", "5", "{}", `{"error": 7}`];
  let asked = 0;
  await withUnixServer(
    (request) => {
      const path = new URL(request.url).pathname;
      if (path.endsWith("/exec")) return new Response(`${lines[asked++]}\n`);
      return new Response(`{"pad": "${"x".repeat(5000)}"}`);
    },
    async (client) => {
      await assert.rejects(client.status(), (error: Error) => {
        assert.ok(error instanceof ControlError);
        assert.equal(error.code, "frame-too-large");
        assert.match(error.message, /^GET \/v1\/status: the answer .* longer than 4096 bytes/);
        return true;
      });
      for (const line of lines) {
        await assert.rejects(client.exec("web", ["true"]), (error: Error) => {
          assert.ok(error instanceof ControlError, `${line}: ${error.name} ${error.message}`);
          assert.equal(error.code, "not-json");
          assert.match(error.message, /is not an exec frame/);
          return true;
        });
      }
    },
    { maxFrameBytes: 4096 },
  );
});
