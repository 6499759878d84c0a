import assert from "node:assert/strict";
import { ContainerExistsError } from "../container_errors.ts";
import type { ContainerState, Runtime } from "../runtime.ts";
import type { BusyboxBundle } from "./busybox_bundle.ts";
import { isAlive, type ProcIdentity, procIdentity } from "./_proc.ts";
import { TextSink } from "./_text_sink.ts";

/** What the optional `run` check needs from the suite. */
export interface RunCheckContext {
  runtime: Runtime;
  /** A fresh container id. */
  id: string;
  /** How long to wait for anything a container does (ms). */
  wait: number;
  /** Makes a busybox bundle that runs `sh -c script`. */
  bundle(script: string): Promise<BusyboxBundle>;
  /** Records a container for the suite's final checks and cleanup. */
  made(id: string, process: ProcIdentity): void;
  /** Waits until the container is stopped. */
  stopped(id: string): Promise<ContainerState>;
  /** Deletes the container and checks that its state is gone. */
  deleted(id: string): Promise<void>;
}

/**
 * `run`, when the runtime has it (`script` prints `out:ran` and `err:ran`
 * on stdout and stderr at once, then idles and quits on TERM): one call
 * leaves the container running, its pid in the pid file and its output on
 * the streams, even what it wrote before the runtime exited; `run` of a taken
 * id rejects with ContainerExistsError and leaves the first intact.
 */
export async function checkRun(ctx: RunCheckContext, script: string): Promise<void> {
  const { runtime, id, wait } = ctx;
  assert.ok(runtime.run, "the runtime has no run");
  const out = new TextSink();
  const err = new TextSink();
  const dir = await Deno.makeTempDir({ prefix: "weft-conformance-run-" });
  try {
    const first = await ctx.bundle(script);
    await runtime.run(id, first.dir, { stdout: out.writable, stderr: err.writable }, {
      pidFile: `${dir}/pid`,
    });
    const state = await runtime.state(id);
    const process = procIdentity(state.pid);
    assert.ok(process, `/proc/${state.pid} of "${id}" does not exist after run`);
    ctx.made(id, process);
    assert.equal(state.status, "running", `state of "${id}" after run`);
    assert.equal(Number(await Deno.readTextFile(`${dir}/pid`)), state.pid, "the pid file's pid");
    await out.contains("out:ran\n", wait);
    await err.contains("err:ran\n", wait);
    assert.ok(isAlive(process), `init ${state.pid} of "${id}" is not alive after run`);

    const second = await ctx.bundle("echo out:second");
    const secondOut = new TextSink();
    const error = await runtime.run(id, second.dir, { stdout: secondOut.writable }).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(error instanceof ContainerExistsError, `expected ContainerExistsError, got ${error}`);
    assert.equal((await runtime.state(id)).pid, state.pid, "the first container's pid changed");
    assert.ok(isAlive(process), "the first container's init died");
    assert.ok(!secondOut.text.includes("out:second"), "the refused container ran");

    await runtime.kill(id, "TERM");
    await ctx.stopped(id);
    await out.end(wait);
    await err.end(wait);
    await ctx.deleted(id);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
