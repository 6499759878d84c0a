import assert from "node:assert/strict";
import { ownedChildPids } from "../child_registry.ts";
import { RuntimeAbortError, RuntimeTimeoutError } from "../errors.ts";
import type { RuntimePlugin, RuntimePluginOptions } from "../registry.ts";
import type { Runtime } from "../runtime.ts";
import { findBinary } from "../find_binary.ts";
import { type BusyboxBundle, createBusyboxBundle } from "./busybox_bundle.ts";
import { isAlive, type ProcIdentity, procIdentity } from "./_proc.ts";
import { poll } from "./poll.ts";
import { readProcStat } from "../proc.ts";

/** What the call checks need from the suite. */
export interface CallChecks {
  /** The runtime under test. */
  runtime: Runtime;
  /** Its plugin and the options under which it must be available. */
  plugin?: { plugin: RuntimePlugin; options: RuntimePluginOptions };
  /** Container ids start with this. */
  prefix: string;
  /** Runs one named check. */
  step(name: string, fn: () => Promise<void>): Promise<boolean>;
  /** Records an id for the suite's final checks and cleanup. */
  track(id: string): void;
  /** Records a bundle for removal. */
  keep(bundle: BusyboxBundle): void;
}

/** A call must give up this long after its timeout or abort, at most (grace included). */
const SETTLE = 15_000;
/** How long the runtime process and what it forked may take to be gone once the call settled. */
const GONE = 5_000;

/** The ancestor of `pid` that is a direct child of this process, if any. */
function ourChildAbove(pid: number): number | undefined {
  for (let current = pid, hops = 0; hops < 64; hops++) {
    const parent = readProcStat(current)?.ppid;
    if (parent === undefined || parent <= 1) return undefined;
    if (parent === Deno.pid) return current;
    current = parent;
  }
  return undefined;
}

/**
 * A create that blocks in a `createRuntime` hook, run by the runtime on the
 * host: the hook writes its pid and its parent's (the runtime) to `marker`,
 * then sleeps. So the call stays in flight as long as the check needs, and
 * the check knows both the runtime process and one it forked.
 */
async function hungBundle(marker: string): Promise<BusyboxBundle> {
  const busybox = await findBinary("busybox");
  assert.ok(busybox, "no busybox in PATH");
  const script = `echo "$$ $PPID" > ${marker}.tmp; mv ${marker}.tmp ${marker}; exec sleep 120`;
  return await createBusyboxBundle({
    args: ["true"],
    busybox,
    configure: (config) => {
      config.hooks = { createRuntime: [{ path: busybox, args: ["busybox", "sh", "-c", script] }] };
    },
  });
}

/**
 * Starts a create that hangs in its hook with `options`, waits until the hook
 * runs, calls `whileRunning` (which may abort), then checks that the call
 * rejects with `expected` in time and that the runtime and its hook are gone;
 * with no `expected`, ends the hook if it still runs and waits for the call.
 */
async function interruptedCreate(
  checks: CallChecks,
  name: string,
  options: { timeout?: number; signal?: AbortSignal },
  expected: typeof RuntimeTimeoutError | typeof RuntimeAbortError | undefined,
  whileRunning: (processes: { hook: ProcIdentity; runtime: ProcIdentity }) => void,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weft-conformance-hook-" });
  const marker = `${dir}/pids`;
  const bundle = await hungBundle(marker);
  checks.keep(bundle);
  const id = `${checks.prefix}-${name}`;
  checks.track(id);
  let processes: { hook: ProcIdentity; runtime: ProcIdentity } | undefined;
  let passed = false;
  const started = performance.now();
  const call = checks.runtime.create(id, bundle.dir, {}, options).then(
    () => undefined,
    (error: unknown) => error ?? new Error("rejected with nothing"),
  );
  try {
    const [hookPid, runtimePid] = (await poll(
      () => Deno.readTextFile(marker).then((t) => t.trim().split(" ").map(Number), () => undefined),
      (pids) => pids !== undefined,
      "the runtime to run the create hook",
      { timeout: SETTLE },
    ))!;
    const hook = procIdentity(hookPid);
    const runtime = procIdentity(runtimePid);
    assert.ok(hook && runtime, `hook ${hookPid} or runtime ${runtimePid} already gone`);
    processes = { hook, runtime };
    whileRunning(processes);
    if (expected === undefined) {
      passed = true;
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const error = await Promise.race([
      call,
      new Promise((resolve) => timer = setTimeout(() => resolve("pending"), SETTLE)),
    ]);
    clearTimeout(timer);
    assert.notEqual(
      error,
      "pending",
      `the call was still pending ${SETTLE} ms after it was due to end`,
    );
    assert.ok(error instanceof expected, `expected a ${expected.name}, got ${error}`);
    for (const [what, process] of Object.entries(processes)) {
      await poll(
        () => isAlive(process),
        (alive) => !alive,
        `the ${what} process ${process.pid} to be gone after the call ended`,
        { timeout: GONE },
      ).catch((error) => assert.fail(`${(error as Error).message}: the call left it running`));
    }
    assert.ok(performance.now() - started < SETTLE * 2, "the call took too long");
    passed = true;
  } finally {
    // What a failed check left: end the hook, so that the runtime returns.
    for (const process of Object.values(processes ?? {})) {
      if (isAlive(process)) Deno.kill(process.pid, "SIGKILL");
    }
    await call;
    // A runtime stopped by the check cleaned up after itself (the suite's
    // last check sees to it); after a failure or a hook ended by the check,
    // leave nothing for the checks that follow.
    if (!passed || expected === undefined) {
      await checks.runtime.delete(id, { force: true }).catch(() => {});
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * The checks of what every call owes its caller beyond its result: a
 * timeout and an abort end the runtime process and what it forked, the
 * processes a runtime spawns are known to a PID-1 reaper
 * (`trackChildProcess`), and the plugin's `detect` tells a present binary
 * from a missing one without throwing.
 */
export async function runCallChecks(checks: CallChecks): Promise<void> {
  await checks.step(
    "a call past its timeout rejects with RuntimeTimeoutError and ends the runtime and what it forked",
    () => interruptedCreate(checks, "timeout", { timeout: 3_000 }, RuntimeTimeoutError, () => {}),
  );

  await checks.step(
    "an aborted call rejects with RuntimeAbortError and ends the runtime and what it forked",
    async () => {
      const controller = new AbortController();
      await interruptedCreate(
        checks,
        "abort",
        { signal: controller.signal },
        RuntimeAbortError,
        () => controller.abort(new Error("conformance abort")),
      );
    },
  );

  await checks.step(
    "the runtime processes a call spawns are tracked for a PID-1 reaper (trackChildProcess)",
    async () => {
      let untracked: string | undefined;
      // Aborted once looked at, so that the runtime cleans up after itself;
      // whether the abort works is the previous check's business.
      const controller = new AbortController();
      const options = { signal: controller.signal };
      await interruptedCreate(checks, "tracked", options, undefined, ({ hook }) => {
        const child = ourChildAbove(hook.pid);
        if (child === undefined) untracked = `no child of this process above hook ${hook.pid}`;
        else if (!ownedChildPids().has(child)) {
          untracked = `child ${child} (running the call) is not in ownedChildPids() ${
            JSON.stringify([...ownedChildPids()])
          }`;
        }
        controller.abort(new Error("conformance abort"));
      });
      assert.equal(untracked, undefined, untracked);
    },
  );

  await checks.step(
    "detect finds the binary, and reports a missing one as unavailable without throwing",
    async () => {
      assert.ok(
        checks.plugin,
        "no plugin given: pass `plugin` (and `pluginOptions`) to runConformance",
      );
      const { plugin, options } = checks.plugin;
      const found = await plugin.detect(options);
      assert.equal(found.available, true, `detect: ${JSON.stringify(found)}`);
      if (found.binary !== undefined) {
        const info = await Deno.stat(found.binary);
        assert.ok(info.isFile && (info.mode ?? 0o111) & 0o111, `${found.binary} is not executable`);
      }
      const missing = "/nonexistent/weft-conformance-missing-binary";
      const absent = await plugin.detect({ ...options, binary: missing }).catch((error) =>
        assert.fail(`detect threw for a missing binary: ${error}`)
      );
      assert.equal(
        absent.available,
        false,
        `detect of a missing binary: ${JSON.stringify(absent)}`,
      );
      assert.ok(
        typeof absent.reason === "string" && absent.reason.length > 0,
        "an unavailable runtime gives a reason",
      );
    },
  );
}
