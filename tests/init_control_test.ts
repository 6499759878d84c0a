// Issue 13: weft-init as a host-controllable agent. The real init, PID 1 of
// a PID namespace, serves its control API on a Unix socket; every call goes
// through the typed client and through weft-ctl, on runc and crun.
import assert from "node:assert/strict";
import { ControlClient, type ControlError } from "@weft/control";
import type { PodEvent } from "@weft/init";
import { type PodDir, podTest, startInit, waitFor } from "./_init_harness.ts";
import {
  assertHostileRefused,
  assertRefusedWhileStopping,
} from "../packages/control/testdata/hostile_requests.ts";

const CLI = new URL("../packages/control/cli.ts", import.meta.url).pathname;

async function weftCtl(
  socket: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--socket", socket, ...args],
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Every event of the pod, read by one follower from the first on. */
class EventLog {
  readonly events: PodEvent[] = [];
  readonly #done: Promise<void>;

  constructor(client: ControlClient) {
    this.#done = (async () => {
      for await (const frame of client.events({ follow: true })) {
        assert.ok("seq" in frame, `no gap expected: ${JSON.stringify(frame)}`);
        assert.equal(frame.seq, this.events.length + 1);
        this.events.push(frame.event);
      }
    })();
  }

  /** Waits for an event matching `predicate` at or after index `from`, and returns its index. */
  async waitFor(predicate: (event: PodEvent) => boolean, from = 0): Promise<number> {
    let index = -1;
    await waitFor(
      () => (index = this.events.findIndex((e, i) => i >= from && predicate(e))) !== -1,
      20_000,
      () => `no such event; got ${JSON.stringify(this.events)}`,
    );
    return index;
  }

  /** Resolves when the stream ended (after pod-ended). */
  ended(): Promise<void> {
    return this.#done;
  }
}

const of = (type: PodEvent["type"], id?: string) => (event: PodEvent): boolean =>
  event.type === type && (id === undefined || ("id" in event && event.id === id));

podTest(
  "the control API drives the pod: status, events, logs, signal, restart, stop one, exec, pod stop",
  async ({ pod, runtime, mode }) => {
    const socket = `${pod.dir}/control.sock`;
    const config = await pod.write(runtime, {
      control: { socket, logLines: 200 },
      containers: [
        {
          id: "ct-svc",
          bundle: await pod.bundle(
            "trap 'echo got-hup' HUP; trap 'exit 5' TERM; echo svc-start; i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.1; done",
          ),
        },
        {
          id: "ct-crash",
          bundle: await pod.bundle("echo crash-run >&2; sleep 0.1; exit 7"),
          restart: {
            policy: "on-failure",
            backoff: { initial: 300, factor: 2, cap: 600 },
            startLimit: 0,
          },
        },
        {
          id: "ct-side",
          bundle: await pod.bundle("trap 'exit 0' TERM; while :; do sleep 0.1; done"),
        },
      ],
      pod: { exitCode: { from: "container", id: "ct-svc" } },
    });
    const started = await startWithControl(pod, config, mode);
    await using init = started.init;
    using client = started.client;
    assert.equal((await Deno.stat(socket)).mode! & 0o777, 0o600);
    const health = await client.health();
    assert.equal(health.runtime, runtime);
    const log = new EventLog(client);

    // Status: the same data as the status file.
    await log.waitFor(of("container-started", "ct-svc"));
    await log.waitFor(of("container-started", "ct-side"));
    const status = await client.status();
    assert.deepEqual(Object.keys(status.containers).sort(), ["ct-crash", "ct-side", "ct-svc"]);
    assert.equal(status.containers["ct-svc"].state, "running");

    // Events: the crash loop shows exited 7, then restarting with the configured delays.
    const first = await log.waitFor(of("container-restarting", "ct-crash"));
    const second = await log.waitFor(of("container-restarting", "ct-crash"), first + 1);
    const third = await log.waitFor(of("container-restarting", "ct-crash"), second + 1);
    const delays = [first, second, third].map((i) => (log.events[i] as { delay: number }).delay);
    assert.deepEqual(delays, [300, 600, 600]);
    const exited = log.events.find(of("container-exited", "ct-crash")) as Extract<
      PodEvent,
      { type: "container-exited" }
    >;
    assert.deepEqual([exited.code, exited.status, exited.signal], [7, 7, null]);
    assert.equal((await client.container("ct-crash")).exits[0].status, 7);

    // Logs: tail, then follow sees new lines; stderr lines are marked.
    const tail: string[] = [];
    for await (const frame of client.logs("ct-svc", { tail: 3 })) {
      if ("line" in frame) tail.push(frame.line);
    }
    assert.equal(tail.length, 3);
    assert.ok(tail.every((line) => /^tick \d+$/.test(line)), tail.join("|"));
    const crashLines: string[] = [];
    for await (const frame of client.logs("ct-crash")) {
      if ("line" in frame) crashLines.push(`${frame.stream}:${frame.line}`);
    }
    assert.ok(crashLines.filter((l) => l === "stderr:crash-run").length >= 2, crashLines.join("|"));

    // Signal: the container's trap prints, and a follower sees it. The
    // follower starts from a cursor taken before the signal: one that asked
    // for new lines only once it ran could miss a line printed before then.
    const lastSeq = async (): Promise<number> => {
      let seq = 0;
      for await (const frame of client.logs("ct-svc", { tail: 1 })) {
        if ("seq" in frame) seq = frame.seq;
      }
      return seq;
    };
    const beforeHup = await lastSeq();
    await client.signal("ct-svc", "HUP");
    const follow = client.logs("ct-svc", { after: beforeHup, follow: true })[
      Symbol.asyncIterator
    ]();
    for (;;) {
      const { value } = await follow.next();
      if (value && "line" in value && value.line === "got-hup") break;
    }
    await follow.return(undefined);

    // Restart: stopped and started again, with a new pid.
    const before = (await client.container("ct-svc")).pid;
    const mark = log.events.length;
    await client.restart("ct-svc");
    await log.waitFor(of("container-started", "ct-svc"), mark);
    const after = await client.container("ct-svc");
    assert.equal(after.state, "running");
    assert.notEqual(after.pid, before);

    // Stop one container; the others keep running.
    await client.stopContainer("ct-side");
    const now = await client.status();
    assert.equal(now.containers["ct-side"].state, "stopped");
    assert.equal(now.containers["ct-svc"].state, "running");
    assert.equal(now.pod.state, "running");

    // Exec: output and exit code.
    const result = await client.exec("ct-svc", ["sh", "-c", "echo $X; exit 3"], {
      env: ["X=hello"],
    });
    assert.deepEqual(result, { code: 3, stdout: "hello\n", stderr: "" });
    await assert.rejects(client.exec("ct-side", ["true"]), /not running/);
    const stdin = await client.exec("ct-svc", ["sh", "-c", "read line; echo got $line"], {
      stdin: "abc\n",
    });
    assert.deepEqual([stdin.code, stdin.stdout], [0, "got abc\n"]);
    await assert.rejects(
      client.exec("ct-svc", ["sleep", "30"], { timeout: 500 }),
      (error: Error & { code?: string }) => error.code === "timeout",
    );

    // The same through weft-ctl.
    const table = await weftCtl(socket, "status");
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /ct-svc +running/);
    assert.match(table.stdout, /ct-side +stopped/);
    const ctlEvents = await weftCtl(socket, "--json", "events");
    const seqs = ctlEvents.stdout.trim().split("\n").map((line) => JSON.parse(line).seq);
    assert.deepEqual(seqs.slice(0, 5), [1, 2, 3, 4, 5]);
    const ctlLogs = await weftCtl(socket, "logs", "ct-svc", "--tail", "2");
    assert.equal(ctlLogs.stdout.split("\n").length, 3, ctlLogs.stdout);
    const beforeCtlHup = await lastSeq();
    assert.equal((await weftCtl(socket, "kill", "ct-svc", "HUP")).code, 0);
    await waitFor(async () => {
      for await (const frame of client.logs("ct-svc", { after: beforeCtlHup })) {
        if ("line" in frame && frame.line === "got-hup") return true;
      }
      return false;
    });
    const ctlExec = await weftCtl(
      socket,
      "exec",
      "-e",
      "X=ctl",
      "ct-svc",
      "--",
      "sh",
      "-c",
      "echo $X; exit 3",
    );
    assert.deepEqual([ctlExec.code, ctlExec.stdout], [3, "ctl\n"]);
    const bad = await weftCtl(socket, "kill", "ct-svc", "NOPE");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Invalid signal "NOPE"/);
    const restartMark = log.events.length;
    assert.equal((await weftCtl(socket, "restart", "ct-svc")).code, 0);
    await log.waitFor(of("container-started", "ct-svc"), restartMark);
    assert.equal((await weftCtl(socket, "stop", "ct-crash")).code, 0);
    assert.equal((await client.container("ct-crash")).state, "stopped");

    // A client that disconnects and comes back from its cursor loses nothing and repeats nothing.
    const pieces: number[] = [];
    let cursor = 0;
    for (let round = 0; round < 4; round++) {
      let taken = 0;
      for await (const frame of client.events({ after: cursor })) {
        assert.ok("seq" in frame);
        pieces.push(frame.seq);
        cursor = frame.seq;
        if (++taken === 3) break; // hang up mid-stream
      }
    }
    assert.deepEqual(pieces, Array.from({ length: pieces.length }, (_, i) => i + 1));

    // Pod stop through weft-ctl: the stream ends with pod-ended, the init exits with ct-svc's code.
    const stop = await weftCtl(socket, "stop");
    assert.equal(stop.code, 0, stop.stderr);
    const { code, stderr } = await init.exited;
    await log.ended();
    assert.equal(code, 5, stderr);
    const types = log.events.map((event) => event.type);
    assert.equal(types.at(-1), "pod-ended");
    assert.ok(types.includes("pod-stopping"));
    assert.equal((log.events.at(-1) as { exitCode: number }).exitCode, 5);
    assert.deepEqual(await pod.rootEntries(), [], "the state root is empty");
    await assert.rejects(Deno.lstat(socket), Deno.errors.NotFound);
  },
  { modes: ["pid1"] },
);

podTest(
  "a restart asked during a container's stop starts it again once stopped; one the pod stop overtakes gets 409",
  async ({ pod, runtime, mode }) => {
    // rs-slow's TERM trap holds its stop until the test creates /gate in its
    // rootfs, so each call is known to arrive while the stop is in progress.
    const bundle = await pod.bundle(
      "trap 'until [ -e /gate ]; do sleep 0.05; done; exit 0' TERM; while :; do sleep 0.1; done",
    );
    const gate = `${bundle}/rootfs/gate`;
    const config = await pod.write(runtime, {
      control: { socket: `${pod.dir}/control.sock` },
      containers: [
        { id: "rs-slow", bundle, stop: { grace: 60_000 } },
        {
          id: "rs-side",
          bundle: await pod.bundle("trap 'exit 0' TERM; while :; do sleep 0.1; done"),
        },
      ],
    });
    const { init, client } = await startWithControl(pod, config, mode);
    await using _init = init;
    using _client = client;
    const state = async (id: string): Promise<string> => (await client.container(id)).state;
    await waitFor(async () =>
      await state("rs-slow") === "running" && await state("rs-side") === "running"
    );
    const first = (await client.container("rs-slow")).pid;

    const stopped = client.stopContainer("rs-slow");
    await waitFor(async () => await state("rs-slow") === "stopping");
    const restarted = client.restart("rs-slow");
    await init.waitForOutput((_, stderr) =>
      stderr.includes("Restart of rs-slow asked while it stops")
    );
    await Deno.writeTextFile(gate, "");
    await Promise.all([stopped, restarted]);
    await waitFor(async () => await state("rs-slow") === "running");
    const again = await client.container("rs-slow");
    assert.notEqual(again.pid, first);
    assert.equal(again.restartCount, 1);
    assert.equal(again.exitCount, 1);
    assert.equal(await state("rs-side"), "running");

    await Deno.remove(gate);
    const refused = assert.rejects(
      client.restart("rs-slow"),
      (error: ControlError) =>
        error.status === 409 &&
        /Cannot restart container "rs-slow": the pod is stopping/.test(error.message),
    );
    await waitFor(async () => await state("rs-slow") === "stopping");
    await client.stopPod("restart test");
    await waitFor(async () => (await client.status()).pod.state === "stopping");
    await Deno.writeTextFile(gate, "");
    await refused;
    const { code, stderr } = await init.exited;
    assert.equal(code, 0, stderr);
    const final = (await pod.status())!.containers["rs-slow"];
    assert.deepEqual([final.state, final.restartCount, final.exitCount], ["stopped", 1, 2]);
    assert.deepEqual(await pod.rootEntries(), [], "the state root is empty");
  },
  { modes: ["pid1"] },
);

/** Starts the init on `config` and waits until its control socket answers. */
async function startWithControl(
  pod: PodDir,
  config: string,
  mode: "pid1" | "child",
): Promise<{ init: ReturnType<typeof startInit>; client: ControlClient; socket: string }> {
  const socket = `${pod.dir}/control.sock`;
  const init = startInit(config, mode);
  const client = new ControlClient({ transport: "unix", path: socket });
  await waitFor(
    async () => (await client.health().catch(() => undefined))?.alive === true,
    20_000,
    () => `the control socket never answered; init stderr:\n${init.stderr}`,
  );
  return { init, client, socket };
}

podTest(
  "hostile requests get a clear 4xx, start nothing and leave the init unaffected; calls during the pod stop get 409",
  async ({ pod, runtime, mode }) => {
    const config = await pod.write(runtime, {
      control: { socket: `${pod.dir}/control.sock` },
      containers: [
        {
          id: "ho-run",
          bundle: await pod.bundle("trap 'exit 0' TERM; while :; do sleep 0.1; done"),
        },
        { id: "ho-done", bundle: await pod.bundle("exit 0"), restart: { policy: "never" } },
        {
          id: "ho-slow",
          bundle: await pod.bundle("trap '' TERM; echo ready; while :; do sleep 0.1; done"),
          stop: { grace: 3_000 },
        },
      ],
    });
    const { init, client, socket } = await startWithControl(pod, config, mode);
    await using _init = init;
    using _client = client;
    await waitFor(async () => {
      const { containers } = await client.status();
      return containers["ho-done"].state === "exited" && containers["ho-run"].state === "running" &&
        containers["ho-slow"].state === "running";
    });
    const before = await client.status();
    const eventsBefore = (await Array.fromAsync(client.events())).length;
    const rootBefore = (await pod.rootEntries()).sort();

    const sent = await assertHostileRefused(socket, "ho-run", "ho-done");
    assert.ok(sent >= 30, `${sent} hostile requests`);

    // The init is unaffected: alive, the same containers and pids, no event, nothing created.
    assert.equal((await client.health()).alive, true);
    const after = await client.status();
    for (const id of Object.keys(before.containers)) {
      const [b, a] = [before.containers[id], after.containers[id]];
      assert.deepEqual([a.state, a.pid, a.restartCount, a.exitCount], [
        b.state,
        b.pid,
        b.restartCount,
        b.exitCount,
      ], id);
    }
    assert.equal((await Array.fromAsync(client.events())).length, eventsBefore);
    assert.deepEqual((await pod.rootEntries()).sort(), rootBefore);

    // During the stop (ho-slow ignores TERM for its 3 s grace) every change is refused.
    await client.stopPod("hostile test");
    await waitFor(async () => (await client.status()).pod.state === "stopping");
    await assertRefusedWhileStopping(
      client,
      "ho-slow",
      /the pod is stopping \(control API: hostile test\)/,
    );
    const { code, stderr } = await init.exited;
    assert.equal(code, 0, stderr);
    assert.deepEqual(await pod.rootEntries(), [], "the state root is empty");
  },
  { modes: ["pid1"] },
);

podTest(
  "a control socket path taken by something else stops the init before any container starts",
  async ({ pod, runtime, mode }) => {
    const socket = `${pod.dir}/taken`;
    await Deno.writeTextFile(socket, "not a socket");
    const config = await pod.write(runtime, {
      control: { socket },
      containers: [{ id: "tk-never", bundle: await pod.bundle("echo must-not-run") }],
    });
    await using init = startInit(config, mode);
    const { code, stdout, stderr } = await init.exited;
    assert.equal(code, 4, stderr);
    assert.match(
      stderr,
      /Cannot start the control API: Cannot listen on ".*taken": it exists and is not a socket/,
    );
    assert.ok(!stdout.includes("must-not-run"), stdout);
    assert.equal(await Deno.readTextFile(socket), "not a socket");
    assert.deepEqual(await pod.rootEntries(), []);
  },
  { modes: ["child"], runtimes: ["runc"] },
);
