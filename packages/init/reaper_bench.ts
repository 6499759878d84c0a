// Time to reap 1,000 orphans that exit at once, from the moment they are
// released until the last one's exit is reported. Two cores are shared with
// other work on the test machines: read the figures as rough.
import { Reaper } from "./reaper.ts";
import { setChildSubreaper } from "./child_subreaper.ts";

const COUNT = 1000;
let reaper = Reaper.start();
let running = false;

/** Starts COUNT orphans blocked on a pipe; `release()` makes them all exit. */
async function orphans(): Promise<{ pids: Set<number>; release(): Promise<void> }> {
  const script =
    `exec 3<&0; for i in $(seq ${COUNT}); do sh -c 'read x <&3; exit 3' >/dev/null & echo $!; done`;
  const child = new Deno.Command("sh", { args: ["-c", script], stdin: "piped", stdout: "piped" })
    .spawn();
  const writer = child.stdin.getWriter();
  const text = await new Response(child.stdout).text();
  await child.status;
  return { pids: new Set(text.trim().split("\n").map(Number)), release: () => writer.close() };
}

async function reapAll(b: Deno.BenchContext, busyChildren: number): Promise<void> {
  if (running) throw new Error("Benchmarks overlap: the figures would be wrong");
  running = true;
  const { pids, release } = await orphans();
  // Long-lived Deno.Command children: their pids must be skipped, and a
  // zombie of theirs would push the reaper onto its /proc fallback.
  const busy = Array.from(
    { length: busyChildren },
    () => new Deno.Command("sleep", { args: ["30"] }).spawn(),
  );
  const { promise, resolve } = Promise.withResolvers<void>();
  const stop = reaper.onReap((exit) => {
    if (pids.delete(exit.pid) && pids.size === 0) resolve();
  });
  // onReap listeners do not keep the program alive (the reaper must not);
  // this idle timer does, without waking anything up.
  const keepAlive = setTimeout(() => {}, 60_000);
  b.start();
  await release();
  await promise;
  b.end();
  clearTimeout(keepAlive);
  stop();
  running = false;
  for (const child of busy) child.kill("SIGKILL");
  await Promise.all(busy.map((child) => child.status));
}

Deno.bench({
  name: "reap 1,000 orphans that exit at once",
  n: 5,
  warmup: 1,
  async fn(b): Promise<void> {
    await reapAll(b, 0);
  },
});

Deno.bench({
  name: "reap 1,000 orphans that exit at once, 20 Deno.Command children alive",
  n: 5,
  warmup: 1,
  async fn(b): Promise<void> {
    await reapAll(b, 20);
  },
});

Deno.bench({
  name: "one reaping pass over 1,000 zombies already there (the reaper's own cost)",
  n: 5,
  warmup: 1,
  async fn(b): Promise<void> {
    // Stop reaping, but keep collecting orphans, so that they stay zombies.
    reaper[Symbol.dispose]();
    setChildSubreaper(true);
    const { pids, release } = await orphans();
    await release();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    b.start();
    reaper = Reaper.start();
    const reaped = reaper.reapNow();
    b.end();
    if (reaped !== pids.size) throw new Error(`Reaped ${reaped} of ${pids.size}`);
  },
});
