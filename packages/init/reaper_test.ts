import assert from "node:assert/strict";
import { captureLogs, poll } from "@weft/runtime/testing";
import { trackChildProcess } from "@weft/runtime";
import { isChildSubreaper } from "./child_subreaper.ts";
import { type ExitStatus, Reaper, ReaperStateError } from "./reaper.ts";
import { ContainerRun } from "./container_run.ts";
import { fakeUnitContext } from "./_supervisor_fakes.ts";
import type { ContainerConfig } from "./config.ts";
import { systemClock } from "./clock.ts";
import type { Runtime } from "@weft/runtime";

/**
 * Runs `script` in sh, which prints the pids of the orphans it leaves, one a
 * line. The orphans find the test's pipe on fd 3: `read x <&3` blocks them
 * until `release()` closes it, so that they all exit at once, after sh.
 */
async function orphans(script: string): Promise<{ pids: number[]; release(): Promise<void> }> {
  const child = new Deno.Command("sh", {
    args: ["-c", `exec 3<&0; ${script}`],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  // Registered: a reaper started with detectDenoChildren: false knows Deno's
  // children from the registry alone, and would otherwise reap this sh first.
  trackChildProcess(child);
  const writer = child.stdin.getWriter();
  const text = await new Response(child.stdout).text();
  assert.equal((await child.status).code, 0);
  return {
    pids: text.split("\n").filter((line) => line !== "").map(Number),
    release: () => writer.close(),
  };
}

/** Orphans that end with `statuses` once released: 137 and 143 mean killed by KILL and TERM. */
function orphanScript(statuses: readonly number[]): string {
  return statuses.map((status) =>
    status === 137 || status === 143
      ? `sh -c 'read x <&3; kill -${status - 128} $$' >/dev/null & echo $!;`
      : `sh -c 'read x <&3; exit ${status}' >/dev/null & echo $!;`
  ).join(" ");
}

/** How many tests the child process must pass: every call of test(), in either process. */
let registered = 0;

/** Registers a test only in the child process (see the top of the file). */
function test(name: string, fn: () => void | Promise<void>): void {
  registered++;
  if (Deno.env.get("WEFT_REAPER_TEST_CHILD") === "1") Deno.test(name, fn);
}

// poll's deadline is monotonic: tests here step Date.now().
async function until(condition: () => boolean, timeout = 10_000): Promise<void> {
  await poll(condition, (met) => met, "the condition", { timeout });
}

test("the reaper becomes a child subreaper and clears it when disposed", () => {
  assert.equal(isChildSubreaper(), false);
  {
    using reaper = Reaper.start();
    assert.equal(reaper.mode, "subreaper");
    assert.equal(isChildSubreaper(), true);
  }
  assert.equal(isChildSubreaper(), false);
});

test("a second reaper cannot start while one runs", () => {
  using _reaper = Reaper.start();
  assert.throws(() => Reaper.start(), ReaperStateError);
});

test("a worker of the same process cannot start a second reaper", async () => {
  using _reaper = Reaper.start();
  const source = `
    import { Reaper } from ${JSON.stringify(new URL("./reaper.ts", import.meta.url).href)};
    try { Reaper.start(); self.postMessage("started"); } catch (error) { self.postMessage(error.name); }
  `;
  const worker = new Worker(`data:application/javascript,${encodeURIComponent(source)}`, {
    type: "module",
  });
  const answer = await new Promise((resolve) => worker.onmessage = (event) => resolve(event.data));
  worker.terminate();
  assert.equal(answer, "ReaperStateError");
});

test("orphans are reaped with their exit codes and 128+signal for deaths by signal", async () => {
  using reaper = Reaper.start();
  const { pids: [exits, killed, termed], release } = await orphans(orphanScript([42, 137, 143]));
  await release();
  const signal = AbortSignal.timeout(5000);
  const [a, b, c] = await Promise.all(
    [exits, killed, termed].map((pid) => reaper.waitPid(pid, { signal })),
  );
  assert.deepEqual([a.code, a.signal, a.status], [42, null, 42]);
  assert.deepEqual([b.code, b.signal, b.status], [null, 9, 137]);
  assert.deepEqual([c.code, c.signal, c.status], [null, 15, 143]);
  assert.equal(a.pid, exits);
  assert.ok(Math.abs(a.at - Date.now()) < 5000);
});

test("an exit reaped before waitPid is called is still delivered, once", async () => {
  using reaper = Reaper.start();
  const reaped: ExitStatus[] = [];
  reaper.onReap((exit) => reaped.push(exit));
  const { pids: [pid], release } = await orphans(orphanScript([7]));
  await release();
  await until(() => reaped.some((exit) => exit.pid === pid));
  assert.equal(reaper.stats().unclaimed, 1);
  const exit = await reaper.waitPid(pid);
  assert.equal(exit.status, 7);
  assert.equal(reaper.stats().unclaimed, 0);
  // Consumed: a second wait does not get the same exit again.
  const again = reaper.waitPid(pid, { signal: AbortSignal.timeout(100) });
  await assert.rejects(again, { name: "TimeoutError" });
});

test("waitPid ignores a kept exit older than its `after` time", async () => {
  using reaper = Reaper.start();
  const { pids: [pid], release } = await orphans(orphanScript([5]));
  await release();
  await until(() => reaper.stats().unclaimed === 1);
  const later = reaper.waitPid(pid, {
    after: performance.now() + 1,
    signal: AbortSignal.timeout(100),
  });
  await assert.rejects(later, { name: "TimeoutError" });
  assert.equal((await reaper.waitPid(pid)).status, 5);
});

test("waitPid refuses an `after` that is no performance.now() reading, naming it", async () => {
  using reaper = Reaper.start();
  for (const after of [Date.now(), -1, NaN, Infinity, performance.now() + 60_000]) {
    await assert.rejects(
      reaper.waitPid(4_000_000, { after }),
      /Invalid after .*: expected a performance\.now\(\) reading \(not a Date\.now\(\) one\)/,
    );
  }
  assert.equal(reaper.stats().waiting, 0);
});

/** Runs `fn` with `Date.now()` moved by `stepMs` (a host setting a VM's clock at boot). */
async function withClockStep<T>(stepMs: number, fn: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  Date.now = (): number => realNow() + stepMs;
  try {
    return await fn();
  } finally {
    Date.now = realNow;
  }
}

test("a wall-clock step forward does not expire kept exits", async () => {
  using reaper = Reaper.start({ unclaimedTtl: 600_000 });
  const { pids: [pid], release } = await orphans(orphanScript([6]));
  await release();
  await until(() => reaper.stats().unclaimed === 1);
  // A year later by the wall clock, a moment later in fact.
  await withClockStep(365 * 86_400_000, () => Promise.resolve(reaper.reapNow()));
  assert.deepEqual([reaper.stats().unclaimed, reaper.stats().dropped], [1, 0]);
  assert.equal((await reaper.waitPid(pid)).status, 6);
});

test("a container run claims its init's exit reaped after the wall clock stepped back", async () => {
  using reaper = Reaper.start();
  const runDir = Deno.makeTempDirSync();
  const { pids: [pid], release } = await orphans(orphanScript([9]));
  const realNow = Date.now;
  // The runtime's `run`: the init exits (and is reaped, unclaimed) before its
  // pid is handed to the reaper, while the host sets the clock an hour back.
  const runtime = {
    name: "fake",
    run: async (_id: string, _bundle: string, _stdio: unknown, options: { pidFile: string }) => {
      Deno.writeTextFileSync(options.pidFile, `${pid}\n`);
      Date.now = (): number => realNow() - 3_600_000;
      await release();
      await until(() => reaper.stats().unclaimed === 1);
    },
    delete: () => Promise.resolve(),
  } as unknown as Runtime;
  const context = fakeUnitContext({ runtime, reaper, clock: systemClock, runDir: () => runDir });
  const config = { id: "web", bundle: runDir, stdio: "none" } as ContainerConfig;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const run = new ContainerRun(config, context);
    assert.equal(await run.create(), undefined);
    const exit = await Promise.race([
      run.exit,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("the kept exit was never claimed")), 5000);
      }),
    ]);
    assert.deepEqual([exit.pid, exit.status], [pid, 9]);
  } finally {
    clearTimeout(timer);
    Date.now = realNow;
    Deno.removeSync(runDir, { recursive: true });
  }
});

test("unclaimed exits are bounded by maxUnclaimed, the newest kept", async () => {
  // A TTL far longer than the test, so that only the count bound can drop exits.
  using reaper = Reaper.start({ maxUnclaimed: 3, unclaimedTtl: 600_000, rescanInterval: 50 });
  // Released together, the orphans die in any order: "newest" is by reap order.
  const reaped: number[] = [];
  reaper.onReap((exit) => reaped.push(exit.pid));
  const { release } = await orphans(orphanScript([1, 1, 1, 1, 1]));
  await release();
  await until(() => reaper.stats().reaped === 5);
  assert.equal(reaper.stats().unclaimed, 3);
  assert.equal(reaper.stats().dropped, 2);
  const signal = AbortSignal.timeout(5000);
  assert.equal((await reaper.waitPid(reaped[4], { signal })).status, 1);
  assert.equal(reaper.stats().unclaimed, 2);
});

test("unclaimed exits are dropped once older than unclaimedTtl", async () => {
  using reaper = Reaper.start({ maxUnclaimed: 10, unclaimedTtl: 100, rescanInterval: 50 });
  const { release } = await orphans(orphanScript([1, 1]));
  await release();
  await until(() => reaper.stats().reaped === 2);
  // However slow the machine, both expire and nothing else drops them.
  await until(() => reaper.stats().unclaimed === 0);
  assert.equal(reaper.stats().dropped, 2);
});

test("waitPid rejects bad pids, Deno.Command children, and a disposed reaper", async () => {
  const reaper = Reaper.start();
  await assert.rejects(reaper.waitPid(0), RangeError);
  await assert.rejects(reaper.waitPid(1.5), /Invalid pid 1.5: expected a positive integer/);
  const child = new Deno.Command("sleep", { args: ["0.1"] }).spawn();
  trackChildProcess(child);
  await assert.rejects(reaper.waitPid(child.pid), TypeError);
  await child.status;
  const aborted = reaper.waitPid(999_999_998, { signal: AbortSignal.abort(new Error("gave up")) });
  await assert.rejects(aborted, /gave up/);
  const pending = reaper.waitPid(999_999_999);
  reaper[Symbol.dispose]();
  await assert.rejects(pending, ReaperStateError);
  await assert.rejects(reaper.waitPid(2), /the reaper is disposed/);
});

test("rejects options out of range, naming them", () => {
  assert.throws(() => Reaper.start({ rescanInterval: 0 }), /Invalid rescanInterval 0/);
  for (const bad of [-1, 0, 2.5, Infinity, NaN]) {
    assert.throws(
      () => Reaper.start({ maxUnclaimed: bad }),
      /Invalid maxUnclaimed .*: expected a positive integer \(a count of exits\)/,
    );
  }
});

test("a listener that throws does not stop the others", async () => {
  using reaper = Reaper.start();
  const seen: number[] = [];
  reaper.onReap(() => {
    throw new Error("boom");
  });
  const stop = reaper.onReap((exit) => seen.push(exit.status));
  const { pids: [pid], release } = await orphans(orphanScript([9]));
  await release();
  await reaper.waitPid(pid);
  assert.deepEqual(seen, [9]);
  stop();
});

test("Deno.Command calls running while orphans die never lose their status", async () => {
  for (const detectDenoChildren of [true, false]) {
    using reaper = Reaper.start({ detectDenoChildren });
    const reaped = new Map<number, number>();
    reaper.onReap((exit) => reaped.set(exit.pid, exit.status));
    const expected = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? i % 128 : 137));
    const { pids, release } = await orphans(orphanScript(expected));
    const calls = Array.from({ length: 100 }, (_, i) => {
      const child = new Deno.Command("sh", { args: ["-c", `exit ${i % 256}`] }).spawn();
      // Without pidfd detection, ownership comes from the registry alone.
      if (!detectDenoChildren) trackChildProcess(child);
      return child.status;
    });
    await release();
    const statuses = await Promise.all(calls);
    assert.deepEqual(statuses.map((s) => s.code), statuses.map((_, i) => i % 256));
    await until(() => pids.every((pid) => reaped.has(pid)));
    assert.deepEqual(pids.map((pid) => reaped.get(pid)), expected);
  }
});

test("without the subreaper attribute orphans never come back, and the reaper says so", async () => {
  await using logs = await captureLogs(["weft", "init"]);
  const records = logs.records;
  using reaper = Reaper.start({ subreaper: false });
  assert.equal(reaper.mode, "none");
  assert.ok(
    records.some((r) => r.level === "warning" && /only direct children/.test(String(r.message))),
  );
  const { pids: [pid], release } = await orphans(orphanScript([4]));
  await release();
  // The orphan went to this process's ancestor, not to it.
  await assert.rejects(
    reaper.waitPid(pid, { signal: AbortSignal.timeout(500) }),
    { name: "TimeoutError" },
  );
});

// The subreaper attribute and the reaper are process-wide, and `deno test
// --parallel` runs every test module of a run in one process: so these tests
// run in a child `deno test` of their own, where nothing else reaps or
// spawns. Here the parent only starts that child and checks its result.
if (Deno.env.get("WEFT_REAPER_TEST_CHILD") !== "1") {
  Deno.test("the reaper's tests pass in a process of their own", async () => {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", "--no-check", new URL(import.meta.url).pathname],
      env: { WEFT_REAPER_TEST_CHILD: "1", NO_COLOR: "1" },
      // A hung child test fails here with its output instead of hanging the run.
      signal: AbortSignal.timeout(180_000),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.equal(code, 0, output);
    assert.match(output, new RegExp(`ok \\| ${registered} passed \\| 0 failed`), output);
  });
}
