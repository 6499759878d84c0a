// deno-lint-ignore-file no-console
/**
 * A small init for the tests in this folder: it starts the Reaper and drives
 * a scenario, then prints one JSON line `{"result": ...}` that the test
 * checks. Run it as the real PID 1 of a PID namespace
 * (`unshare --pid --fork --mount-proc deno run -A tests/_pid1_fixture.ts ...`)
 * or as a plain child (then the reaper is a child subreaper).
 *
 * Scenarios:
 *   zombies RUNTIME ROOT     a container forks 100 `sleep 1` and exits 7
 *   early RUNTIME ROOT       a container exits 5 at once; its pid is waited for later
 *   storm RUNTIME ROOT N     N orphans exit at once while 100 runtime calls run
 *   mounts [ROOT]            mountPseudoFilesystems twice, counting mounts
 *   poweroff                 powerOff() (as PID 1 of a namespace)
 *   cad                      disableCtrlAltDel(), printing its error
 *   stop-signals             ignoreStopSignals(), then wait for stdin to close
 */
import { parseProcStat, type ProcStat, type Runtime, trackChildProcess } from "@weft/runtime";
import { CrunRuntime } from "@weft/crun";
import { RuncRuntime } from "@weft/runc";
import { createBusyboxBundle } from "@weft/runtime/testing";
import { type ExitStatus, Reaper } from "@weft/init/reaper";
import { ignoreStopSignals, isPid1 } from "@weft/init/pid1";
import { mountPseudoFilesystems } from "@weft/init/mounts";
import { disableCtrlAltDel, powerOff } from "@weft/init/power";

const [scenario, ...args] = Deno.args;

function print(value: unknown): void {
  console.log(JSON.stringify(value));
}

function until(condition: () => boolean, timeout: number): Promise<boolean> {
  const deadline = Date.now() + timeout;
  return new Promise((resolve) => {
    const check = (): void => {
      if (condition()) resolve(true);
      else if (Date.now() > deadline) resolve(false);
      else setTimeout(check, 20);
    };
    check();
  });
}

/** Processes visible in /proc. */
function processes(): ProcStat[] {
  const list = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      list.push(parseProcStat(Deno.readTextFileSync(`/proc/${entry.name}/stat`)));
    } catch {
      continue; // gone meanwhile
    }
  }
  return list;
}

/** Zombies this init is responsible for: all in its namespace as PID 1, its children otherwise. */
function zombies(): unknown[] {
  return processes().filter((p) => p.state === "Z" && (isPid1() || p.ppid === Deno.pid));
}

function runtimeFor(name: string, root: string): Runtime {
  // The bundle sets no cgroup resources, so crun needs no cgroup manager
  // flag inside the test's cgroup2 namespace.
  return name === "crun" ? new CrunRuntime({ root }) : new RuncRuntime({ root });
}

function withoutPidNamespace(config: Record<string, unknown>): void {
  // Sharing the caller's PID namespace is what makes the container's
  // children orphans of the init: with its own namespace, the kernel would
  // kill and reap them when the container's init exits.
  const linux = config.linux as { namespaces: { type: string }[] };
  linux.namespaces = linux.namespaces.filter((ns) => ns.type !== "pid");
}

async function zombiesScenario(runtimeName: string, root: string): Promise<void> {
  using reaper = Reaper.start();
  const exits: ExitStatus[] = [];
  reaper.onReap((exit) => exits.push(exit));
  const runtime = runtimeFor(runtimeName, root);
  const id = `wip-reaper-zombies-${runtimeName}`;
  await using bundle = await createBusyboxBundle({
    args: ["sh", "-c", "for i in $(seq 100); do sleep 1 & done; exit 7"],
    configure: withoutPidNamespace,
  });
  const pidFile = `${bundle.dir}/pid`;
  const before = performance.now();
  await runtime.create(id, bundle.dir, {}, { pidFile });
  const pid = Number(await Deno.readTextFile(pidFile));
  const containerExit = reaper.waitPid(pid, { after: before, signal: AbortSignal.timeout(10_000) });
  await runtime.start(id);
  const container = await containerExit;
  const sleeps = () => exits.filter((exit) => exit.pid !== pid && exit.status === 0).length;
  await until(() => sleeps() >= 100, 15_000);
  await runtime.delete(id, { force: true });
  // Let anything left settle, then look.
  await new Promise((resolve) => setTimeout(resolve, 300));
  print({
    result: {
      mode: reaper.mode,
      pid: Deno.pid,
      container: container.status,
      sleeps: sleeps(),
      reaped: exits.length,
      zombies: zombies(),
      others: isPid1() ? processes().filter((p) => p.pid !== 1) : [],
      stateRoot: [...Deno.readDirSync(root)].map((entry) => entry.name),
    },
  });
}

async function earlyScenario(runtimeName: string, root: string): Promise<void> {
  using reaper = Reaper.start();
  const runtime = runtimeFor(runtimeName, root);
  const id = `wip-reaper-early-${runtimeName}`;
  await using bundle = await createBusyboxBundle({ args: ["sh", "-c", "exit 5"] });
  const pidFile = `${bundle.dir}/pid`;
  const before = performance.now();
  await runtime.create(id, bundle.dir, {}, { pidFile });
  const pid = Number(await Deno.readTextFile(pidFile));
  await runtime.start(id);
  // Ask for the exit only once the reaper has reaped it (its /proc entry is
  // gone), with nobody waiting for it then.
  const gone = () => {
    try {
      Deno.statSync(`/proc/${pid}`);
      return false;
    } catch {
      return true;
    }
  };
  const reapedBefore = await until(gone, 10_000);
  const unclaimedBefore = reaper.stats().unclaimed;
  const exit = await reaper.waitPid(pid, { after: before, signal: AbortSignal.timeout(10_000) });
  await runtime.delete(id, { force: true });
  print({ result: { mode: reaper.mode, reapedBefore, unclaimedBefore, pid, exit } });
}

/** How the storm's orphan `i` ends: exit codes 0..255, some deaths by KILL and TERM. */
function stormEnd(i: number): { status: number; body: string } {
  if (i % 10 === 8) return { status: 137, body: "kill -KILL $$" };
  if (i % 10 === 9) return { status: 143, body: "kill -TERM $$" };
  return { status: i % 256, body: `exit ${i % 256}` };
}

async function stormScenario(runtimeName: string, root: string, count: number): Promise<void> {
  using reaper = Reaper.start();
  const reaped = new Map<number, number>();
  let allReapedAt = 0;
  const runtime = runtimeFor(runtimeName, root);
  const id = `wip-reaper-storm-${runtimeName}`;
  await using bundle = await createBusyboxBundle({ args: ["sleep", "60"] });
  await runtime.create(id, bundle.dir);
  const created = await runtime.state(id);
  // The orphans wait on the read end of our stdin pipe (fd 3) and all exit
  // when it is closed; their parent sh exits first, orphaning them.
  const script = Array.from({ length: count }, (_, i) => {
    return `sh -c 'read x <&3; ${stormEnd(i).body}' >/dev/null & echo $!`;
  }).join("\n");
  const maker = new Deno.Command("sh", {
    args: ["-c", `exec 3<&0\n${script}`],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = maker.stdin.getWriter();
  const pids = (await new Response(maker.stdout).text()).trim().split("\n").map(Number);
  await maker.status;
  const pending = new Set(pids);
  reaper.onReap((exit) => {
    reaped.set(exit.pid, exit.status);
    pending.delete(exit.pid);
    if (pending.size === 0 && allReapedAt === 0) allReapedAt = performance.now();
  });
  const releasedAt = performance.now();
  await writer.close();
  // 100 calls at once, while the orphans die: a third read the real
  // container's state, a third an unknown id's, a third are plain commands.
  const calls = Array.from({ length: 100 }, async (_, i) => {
    try {
      if (i % 3 === 0) {
        const state = await runtime.state(id);
        return state.status === created.status && state.pid === created.pid;
      }
      if (i % 3 === 1) return (await runtime.state(`${id}-missing-${i}`)).status === "";
      const child = new Deno.Command("sh", { args: ["-c", `exit ${i}`] }).spawn();
      trackChildProcess(child);
      return (await child.status).code === i;
    } catch (error) {
      return String(error);
    }
  });
  const outcomes = await Promise.all(calls);
  await until(() => pending.size === 0, 30_000);
  const containerExit = reaper.waitPid(created.pid, { signal: AbortSignal.timeout(10_000) });
  await runtime.delete(id, { force: true });
  const container = await containerExit;
  const mismatches = pids.flatMap((pid, i) =>
    reaped.get(pid) === stormEnd(i).status
      ? []
      : [{ pid, expected: stormEnd(i).status, got: reaped.get(pid) }]
  );
  print({
    result: {
      mode: reaper.mode,
      orphans: pids.length,
      reaped: pids.length - pending.size,
      mismatches: mismatches.slice(0, 10),
      mismatchCount: mismatches.length,
      callsOk: outcomes.filter((outcome) => outcome === true).length,
      callFailures: outcomes.filter((outcome) => outcome !== true).slice(0, 10),
      reapMs: allReapedAt === 0 ? null : allReapedAt - releasedAt,
      container: container.status,
      zombies: zombies(),
      stateRoot: [...Deno.readDirSync(root)].map((entry) => entry.name),
    },
  });
}

function mountCount(): number {
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n").filter((l) => l).length;
}

function mountsScenario(root: string | undefined): void {
  const before = mountCount();
  const first = mountPseudoFilesystems({ root });
  const afterFirst = mountCount();
  const second = mountPseudoFilesystems({ root });
  const afterSecond = mountCount();
  const brief = (results: typeof first) =>
    results.map(({ target, state, found, error }) => ({
      target,
      state,
      found,
      error: error?.message,
    }));
  print({
    result: {
      pid: Deno.pid,
      before,
      afterFirst,
      afterSecond,
      first: brief(first),
      second: brief(second),
    },
  });
}

async function stopSignalsScenario(): Promise<void> {
  using _guard = ignoreStopSignals();
  print({ ready: Deno.pid });
  // Ticks prove the process keeps running between the test's signals.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  for await (const _ of Deno.stdin.readable) { /* until the test closes stdin */ }
  clearInterval(timer);
  print({ result: { ticks } });
}

switch (scenario) {
  case "zombies":
    await zombiesScenario(args[0], args[1]);
    break;
  case "early":
    await earlyScenario(args[0], args[1]);
    break;
  case "storm":
    await stormScenario(args[0], args[1], Number(args[2] ?? 1000));
    break;
  case "mounts":
    mountsScenario(args[0]);
    break;
  case "poweroff":
    print({ poweringOff: Deno.pid });
    await powerOff();
    break;
  case "cad":
    try {
      disableCtrlAltDel();
      print({ result: { ok: true } });
    } catch (error) {
      print({
        result: { error: (error as Error).message, code: (error as { code?: string }).code },
      });
    }
    break;
  case "stop-signals":
    await stopSignalsScenario();
    break;
  default:
    console.error(`Unknown scenario ${JSON.stringify(scenario)}`);
    Deno.exit(2);
}
