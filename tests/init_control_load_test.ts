// Issue 13, load: 1,000 exec and status calls from 20 concurrent clients
// while one container prints 100 MB and another leaves 1,000 orphans to
// the init. No call fails, no line is lost (in the container's file and in
// the control API's log ring), and the reaper still delivers every exit.
import assert from "node:assert/strict";
import { ControlClient } from "@weft/control";
import { podTest, startInit, waitFor } from "./_init_harness.ts";

const LINES = 1_000_000; // 101 bytes each: 101 MB
const CLIENTS = 20;
const CALLS = 1_000;

/** The init's children that are zombies or orphaned sleeps (pids), seen from this PID namespace. */
async function orphansLeft(initPid: number): Promise<number[]> {
  const left: number[] = [];
  for await (const task of Deno.readDir(`/proc/${initPid}/task`)) {
    const text = await Deno.readTextFile(`/proc/${initPid}/task/${task.name}/children`).catch(() =>
      ""
    );
    for (const pid of text.trim().split(/\s+/).filter(Boolean)) {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
      const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
      if (state === "Z" || stat.includes("(sleep)")) left.push(Number(pid));
    }
  }
  return left;
}

/** Checks that `file` holds lines 1..count in order, each `%09d x...`; returns how many. */
async function checkNumberedLines(file: string): Promise<number> {
  let expected = 1;
  let pending = "";
  using handle = await Deno.open(file);
  for await (const text of handle.readable.pipeThrough(new TextDecoderStream())) {
    const lines = (pending + text).split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      assert.equal(Number(line.slice(0, 9)), expected, `line ${expected}: ${line.slice(0, 20)}`);
      expected++;
    }
  }
  assert.equal(pending, "");
  return expected - 1;
}

podTest(
  "1,000 exec/status calls from 20 clients while a container prints 100 MB and 1,000 orphans die",
  async ({ pod, runtime, mode }) => {
    const socket = `${pod.dir}/control.sock`;
    const loudFile = `${pod.dir}/loud.log`;
    const config = await pod.write(runtime, {
      control: { socket },
      containers: [
        {
          id: "ld-target",
          bundle: await pod.bundle("trap 'exit 0' TERM; while :; do sleep 0.1; done"),
        },
        {
          id: "ld-loud",
          bundle: await pod.bundle(
            `busybox awk 'BEGIN{ p = sprintf("%90s", ""); gsub(/ /, "x", p); for (i = 1; i <= ${LINES}; i++) printf "%09d %s\\n", i, p }'`,
          ),
          stdio: { file: loudFile, maxBytes: 0 }, // one file holding every line
          restart: { policy: "never" },
        },
        {
          // In the init's PID namespace: each sleep is orphaned to the init, which must reap it.
          id: "ld-orphans",
          bundle: await pod.bundle(
            "i=0; while [ $i -lt 1000 ]; do sh -c 'sleep 0.3 &'; i=$((i+1)); done; echo orphaned",
            { pidNamespace: false },
          ),
          restart: { policy: "never" },
        },
      ],
      pod: { endWhen: { ended: ["ld-target"] } },
    });
    await using init = startInit(config, mode);
    using probe = new ControlClient({ transport: "unix", path: socket });
    await waitFor(
      async () =>
        (await probe.status().catch(() => undefined))?.containers["ld-target"].state === "running",
      30_000,
      () => `ld-target never ran; init stderr:\n${init.stderr}`,
    );

    let next = 0;
    const failures: string[] = [];
    let execs = 0;
    let statuses = 0;
    const worker = async (): Promise<void> => {
      using client = new ControlClient({ transport: "unix", path: socket }, { timeout: 120_000 });
      for (let n = next++; n < CALLS; n = next++) {
        try {
          if (n % 2 === 0) {
            const { code, stdout } = await client.exec("ld-target", [
              "sh",
              "-c",
              'echo "$1"; exit 4',
              "-",
              String(n),
            ]);
            if (code !== 4 || stdout !== `${n}\n`) {
              failures.push(`exec ${n}: code ${code}, ${stdout}`);
            }
            execs++;
          } else {
            const status = await client.status();
            if (status.containers["ld-target"].state !== "running") {
              failures.push(`status ${n}: ${status.containers["ld-target"].state}`);
            }
            statuses++;
          }
        } catch (error) {
          failures.push(`call ${n}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, worker));
    assert.deepEqual(failures, []);
    assert.deepEqual([execs, statuses], [CALLS / 2, CALLS / 2]);

    // Every exit delivered: the loud and the orphaning containers ended with 0 ...
    await waitFor(async () => {
      const { containers } = await probe.status();
      return containers["ld-loud"].state === "exited" &&
        containers["ld-orphans"].state === "exited";
    }, 120_000);
    const { containers } = await probe.status();
    assert.deepEqual([containers["ld-loud"].lastStatus, containers["ld-orphans"].lastStatus], [
      0,
      0,
    ]);
    // ... and every orphan ended and was reaped: no sleep and no zombie is left under the init.
    const initPid = await init.pid();
    await waitFor(async () => (await orphansLeft(initPid)).length === 0, 20_000);

    // No line lost: all of them in the file, in order, and every one passed through the log ring.
    assert.equal(await checkNumberedLines(loudFile), LINES);
    const last = await Array.fromAsync(probe.logs("ld-loud", { tail: 1 }));
    assert.equal(last.length, 1);
    assert.ok("seq" in last[0]);
    assert.equal(last[0].seq, LINES);
    assert.equal(Number(last[0].line.slice(0, 9)), LINES);

    await probe.stopPod("load test done");
    const { code, stderr } = await init.exited;
    assert.equal(code, 0, stderr.slice(-2000));
    assert.deepEqual(await pod.rootEntries(), []);
  },
  // One runtime: the exec path of both is covered by init_control_test.ts; this one is about load.
  { modes: ["pid1"], runtimes: ["crun"] },
);
