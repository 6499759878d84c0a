import { poll } from "@weft/runtime/testing";
import assert from "node:assert/strict";
import {
  ControlClient,
  type ControlError,
  ControlServer,
  ControlUnreachableError,
  type EventFrame,
  listenControl,
  LogStore,
  serveControl,
  SocketPathError,
} from "./mod.ts";
import { FakeTarget } from "./testdata/fake_target.ts";
import { assertHostileRefused, assertRefusedWhileStopping } from "./testdata/hostile_requests.ts";

async function withServer(
  fn: (ctx: {
    target: FakeTarget;
    server: ControlServer;
    client: ControlClient;
    path: string;
  }) => Promise<void>,
  options: { logs?: LogStore; maxStreams?: number; journal?: number } = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weft-control-" });
  // A directory that does not exist yet: listenControl makes it.
  const path = `${dir}/run/weft/control.sock`;
  const target = new FakeTarget();
  const server = new ControlServer(target, { version: "9.9.9", ...options });
  const listener = await listenControl(server, { transport: "unix", path });
  const client = new ControlClient({ transport: "unix", path }, { timeout: 5_000 });
  try {
    await fn({ target, server, client, path });
  } finally {
    client.close();
    await listener.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A socket file nobody listens on: its owner was killed (Deno removes it on a clean close). */
async function leaveStaleSocket(path: string): Promise<void> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `Deno.listen({ transport: "unix", path: ${
        JSON.stringify(path)
      } }); console.log("up"); setInterval(() => {}, 1e6)`,
    ],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal((await reader.read()).value, "up\n");
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
}

/** Waits for `condition`, failing (not hanging) the test when it never holds. */
async function until(condition: () => boolean): Promise<void> {
  await poll(condition, Boolean, "the server's stream count", { interval: 5 });
}

async function collect<T>(frames: AsyncIterable<T>, count = Infinity): Promise<T[]> {
  const out: T[] = [];
  for await (const frame of frames) {
    out.push(frame);
    if (out.length >= count) break;
  }
  return out;
}

Deno.test("the socket is mode 0600 and health names version and runtime", async () => {
  await withServer(async ({ client, path }) => {
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const health = await client.health();
    assert.equal(health.alive, true);
    assert.equal(health.version, "9.9.9");
    assert.equal(health.runtime, "fake");
    assert.equal(health.pod, "running");
  });
});

Deno.test("uptime is measured on the monotonic clock, whatever the wall clock does", async () => {
  await withServer(async ({ client }) => {
    const realNow = Date.now;
    // The host sets the VM's clock an hour back, then an hour forward, after the server started.
    for (const step of [-3_600_000, 3_600_000]) {
      Date.now = () => realNow() + step;
      try {
        const { uptime } = await client.health();
        assert.ok(uptime >= 0 && uptime < 3_600_000, `uptime ${uptime} after a step of ${step} ms`);
      } finally {
        Date.now = realNow;
      }
    }
  });
});

Deno.test("status and one container's record come from the target", async () => {
  await withServer(async ({ client }) => {
    assert.deepEqual(Object.keys((await client.status()).containers), ["web", "db"]);
    const web = await client.container("web");
    assert.equal(web.id, "web");
    assert.equal(web.state, "running");
    await assert.rejects(client.container("nope"), (error: ControlError) => {
      assert.equal(error.status, 404);
      assert.match(error.message, /No container "nope".*web, db/);
      return true;
    });
  });
});

Deno.test("signal, stop, restart and pod stop reach the target after validation", async () => {
  await withServer(async ({ client, target }) => {
    await client.signal("web", "hup");
    await client.restart("web");
    await client.stopContainer("db");
    await assert.rejects(client.signal("db", "TERM"), /it is stopped, not running/);
    await assert.rejects(client.signal("web", "NOPE"), /body.signal: Invalid signal "NOPE"/);
    await client.stopPod("test");
    await assert.rejects(client.restart("web"), /the pod is stopping/);
    assert.deepEqual(target.calls, [
      "signal web SIGHUP",
      "restart web",
      "stop db",
      "stop-pod control API: test",
    ]);
  });
});

Deno.test("events replay from a cursor: a reconnecting client loses nothing and sees nothing twice", async () => {
  await withServer(async ({ client, target }) => {
    const follow = client.events({ follow: true })[Symbol.asyncIterator]();
    target.emit({ type: "container-started", id: "web", at: 1, pid: 10 });
    const first = (await follow.next()).value as EventFrame;
    assert.ok("seq" in first && first.seq === 1 && first.event.type === "container-started");
    await follow.return(undefined); // the client goes away
    for (let i = 0; i < 5; i++) {
      target.emit({
        type: "container-restarting",
        id: "web",
        at: 2 + i,
        delay: 100,
        restartCount: i,
      });
    }
    const again = await collect(client.events({ after: 1 }));
    assert.deepEqual(again.map((f) => "seq" in f && f.seq), [2, 3, 4, 5, 6]);
    target.emit({ type: "pod-ended", at: 9, exitCode: 0 });
    // After pod-ended the journal is closed: a follower reads the rest and its stream ends.
    const rest = await collect(client.events({ after: 6, follow: true }));
    assert.deepEqual(rest.map((f) => "seq" in f && f.event.type), ["pod-ended"]);
  });
});

Deno.test("a follower that fell behind the bounded journal gets one gap frame, then the rest", async () => {
  await withServer(async ({ client, target }) => {
    for (let i = 0; i < 10; i++) target.emit({ type: "container-stopped", id: "web", at: i });
    const frames = await collect(client.events({ after: 2 }));
    assert.deepEqual(frames[0], { gap: { from: 3, to: 6 } });
    assert.deepEqual(frames.slice(1).map((f) => "seq" in f && f.seq), [7, 8, 9, 10]);
  }, { journal: 4 });
});

Deno.test("logs: tail N, follow, and a gap when the ring overwrote lines", async () => {
  const logs = new LogStore({ lines: 5 });
  await withServer(async ({ client, server }) => {
    for (let i = 1; i <= 8; i++) logs.append("web", i % 2 ? "stdout" : "stderr", `line ${i}`);
    const tail = await collect(client.logs("web", { tail: 2 }));
    assert.deepEqual(tail.map((f) => "line" in f && `${f.stream} ${f.line}`), [
      "stdout line 7",
      "stderr line 8",
    ]);
    const old = await collect(client.logs("web", { after: 1 }));
    assert.deepEqual(old[0], { gap: { from: 2, to: 3 } });
    const follow = client.logs("web", { tail: 0, follow: true })[Symbol.asyncIterator]();
    const next = follow.next();
    // The follower's cursor is taken when the server gets the call: append after that.
    await until(() => server.streams === 1);
    logs.append("web", "stdout", "live");
    const frame = (await next).value;
    assert.equal(frame.line, "live");
    assert.equal(frame.seq, 9);
    await follow.return(undefined);
    await assert.rejects(collect(client.logs("ghost")), /No container "ghost"/);
  }, { logs });
});

Deno.test("exec streams output and returns the exit code; stdin is optional", async () => {
  await withServer(async ({ client, target }) => {
    const seen: string[] = [];
    const result = await client.exec("web", ["sh", "-c", "echo $X; exit 3"], {
      env: ["X=1"],
      stdin: "input\n",
      onOutput: (stream, text) => seen.push(`${stream}:${text}`),
    });
    assert.deepEqual(result, {
      code: 3,
      stdout: "sh -c echo $X; exit 3\ninput\n",
      stderr: "err\n",
    });
    assert.ok(seen.includes("stderr:err\n"));
    assert.deepEqual(target.calls, ["exec web sh -c echo $X; exit 3"]);
    target.set("db", "exited");
    await assert.rejects(client.exec("db", ["true"]), (error: ControlError) => {
      assert.equal(error.status, 409);
      assert.match(error.message, /Cannot exec in container "db": it is exited, not running/);
      return true;
    });
  });
});

Deno.test("streams past the limit get 429 and the count returns when they end", async () => {
  await withServer(async ({ client, server }) => {
    const controller = new AbortController();
    const open = [0, 1].map(() =>
      client.events({ follow: true, signal: controller.signal })[Symbol.asyncIterator]()
    );
    const pending = open.map((iterator) => iterator.next().catch(() => undefined));
    await until(() => server.streams === 2);
    await assert.rejects(client.events().next(), (error: ControlError) => error.status === 429);
    controller.abort();
    await Promise.all(pending);
    await until(() => server.streams === 0);
    assert.deepEqual(await collect(client.events()), []);
  }, { maxStreams: 2 });
});

Deno.test("a path taken by a file or a live socket is refused; a stale socket is replaced", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weft-control-" });
  const target = new FakeTarget();
  try {
    await Deno.writeTextFile(`${dir}/file`, "mine");
    await assert.rejects(
      listenControl(new ControlServer(target), { transport: "unix", path: `${dir}/file` }),
      SocketPathError,
    );
    assert.equal(await Deno.readTextFile(`${dir}/file`), "mine");
    const live = await listenControl(new ControlServer(target), {
      transport: "unix",
      path: `${dir}/live.sock`,
    });
    await assert.rejects(
      listenControl(new ControlServer(target), { transport: "unix", path: `${dir}/live.sock` }),
      /another process is listening there/,
    );
    await live.shutdown();
    await leaveStaleSocket(`${dir}/stale.sock`);
    assert.ok((await Deno.lstat(`${dir}/stale.sock`)).isSocket);
    const again = await listenControl(new ControlServer(target), {
      transport: "unix",
      path: `${dir}/stale.sock`,
    });
    using client = new ControlClient({ transport: "unix", path: `${dir}/stale.sock` });
    assert.equal((await client.health()).alive, true);
    await again.shutdown();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("nothing listening is a ControlUnreachableError naming the address", async () => {
  using client = new ControlClient({ transport: "unix", path: "/nonexistent/weft.sock" });
  await assert.rejects(client.health(), (error: Error) => {
    assert.ok(error instanceof ControlUnreachableError);
    assert.match(error.message, /unix:\/nonexistent\/weft\.sock/);
    return true;
  });
});

Deno.test("hostile requests get a clear 4xx and reach nothing", async () => {
  await withServer(async ({ target, path }) => {
    target.set("db", "exited");
    assert.ok(await assertHostileRefused(path, "web", "db") >= 30);
    assert.deepEqual(target.calls, []);
  });
});

Deno.test("calls while the pod stops are refused with 409 naming the stop", async () => {
  await withServer(async ({ target, client }) => {
    await client.stopPod("first");
    await assertRefusedWhileStopping(client, "web", /the pod is stopping \(control API: first\)/);
    assert.deepEqual(target.calls, ["stop-pod control API: first"]);
  });
});

Deno.test("a follower that stops reading never holds up the producer; it later sees a gap, then the end", async () => {
  await withServer(async ({ client, server, target }) => {
    const frames = client.events({ follow: true })[Symbol.asyncIterator]();
    const first = frames.next();
    await until(() => server.streams === 1);
    target.emit({ type: "container-started", id: "web", at: 0, pid: 1 });
    assert.ok("seq" in (await first).value!);
    // The client reads nothing while 100,000 events are produced: emit is synchronous, so this
    // loop finishing at all shows that no reader can make the producer wait.
    for (let i = 0; i < 100_000; i++) target.emit({ type: "container-stopped", id: "web", at: i });
    target.emit({ type: "pod-ended", at: 0, exitCode: 0 });
    const seqs: number[] = [];
    let gaps = 0;
    for (let next = await frames.next(); !next.done; next = await frames.next()) {
      if ("gap" in next.value) gaps++;
      else seqs.push(next.value.seq);
    }
    assert.ok(gaps >= 1, "the slow reader was told what it missed");
    assert.ok(seqs.length < 100_001, `${seqs.length} frames: the bounded journal dropped some`);
    assert.ok(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]), "in order, none twice");
    assert.equal(seqs.at(-1), 100_002);
  }, { journal: 1_000 });
});

Deno.test("shutdown does not wait for a client that never reads its answer", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weft-control-" });
  const path = `${dir}/control.sock`;
  const target = new FakeTarget();
  const server = new ControlServer(target, { journal: 200_000 });
  const listener = await listenControl(server, { transport: "unix", path });
  // About 8 MB of events: far more than the socket buffers hold.
  for (let i = 0; i < 100_000; i++) target.emit({ type: "container-stopped", id: "web", at: i });
  const conn = await Deno.connect({ transport: "unix", path });
  try {
    await conn.write(new TextEncoder().encode("GET /v1/events HTTP/1.1\r\nHost: weft\r\n\r\n"));
    const head = new Uint8Array(64);
    assert.ok((await conn.read(head))! > 0); // the answer began; now the client stops reading
    await listener.shutdown();
    await assert.rejects(Deno.lstat(path), Deno.errors.NotFound);
  } finally {
    conn.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the TCP transport (for QEMU's hostfwd) serves the same API on 127.0.0.1", async () => {
  const target = new FakeTarget();
  const listener = await listenControl(new ControlServer(target), {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    const { port } = listener.addr as Deno.NetAddr;
    using client = new ControlClient({ transport: "tcp", hostname: "127.0.0.1", port });
    assert.equal((await client.health()).alive, true);
    assert.equal((await client.exec("web", ["a", "b"])).code, 2);
  } finally {
    await listener.shutdown();
  }
});

Deno.test("serveControl on two endpoints closes its server once at shutdown", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weft-control-" });
  const target = new FakeTarget();
  let disposed = 0;
  const subscribe = target.subscribe.bind(target);
  target.subscribe = (listener) => {
    const subscription = subscribe(listener);
    return {
      [Symbol.dispose]: () => {
        disposed++;
        subscription[Symbol.dispose]();
      },
    };
  };
  try {
    const served = await serveControl(target, {
      socket: `${dir}/control.sock`,
      tcp: { hostname: "127.0.0.1", port: 0 },
      logLines: 10,
      maxLineLength: 100,
      journal: 10,
      maxBodyBytes: 1024,
      maxStreams: 4,
    });
    assert.equal(served.listeners.length, 2);
    await served.shutdown();
    assert.equal(disposed, 1);
    served.server.close();
    assert.equal(disposed, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a follower that hangs up on a quiet ring leaves no waiter behind in it", async () => {
  const logs = new LogStore({ lines: 5 });
  await withServer(async ({ client, server }) => {
    logs.append("web", "stdout", "only line");
    for (let i = 0; i < 20; i++) {
      const controller = new AbortController();
      const follow = client.logs("web", { tail: 0, follow: true, signal: controller.signal });
      const next = follow[Symbol.asyncIterator]().next().catch(() => undefined);
      await until(() => logs.ring("web").waiting === 1);
      controller.abort();
      await next;
      // The server sees the connection go and ends the stream: its wait must go with it.
      await until(() => server.streams === 0 && logs.ring("web").waiting === 0);
    }
    assert.equal(logs.ring("web").waiting, 0);
  }, { logs });
});
