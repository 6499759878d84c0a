// deno-lint-ignore-file no-console
/**
 * Benchmarks of weft-init, printed as tables (not timed tests):
 * - time from starting the init to N = 1, 10, 50 containers running, against
 *   a shell script that runs `create` then `start` for each container in turn,
 *   with the ratio init / shell, and against the same create + start of
 *   every container launched at once from the shell (the floor of any launcher);
 * - against the floor of any Deno-based launcher: a Deno program with nothing
 *   but `Deno.Command` running every container's `run --detach` at once
 *   (tests/fixtures/launch_floor), started as the init is;
 * - the CPU time of the init itself and of its runtime calls, beside the shell's;
 * - the per-phase profile of those starts (the init's own start, and each
 *   container's), from the marks the init writes with WEFT_INIT_PROFILE;
 * - the init's resident memory (VmRSS) while it supervises N containers.
 *
 * Run: scripts/in_cgroup2_ns.sh deno run -A tests/init_benchmark.ts [runs] [sizes]
 * (sizes: comma-separated, default 1,10,50; runtimes: WEFT_BENCH_RUNTIMES, default crun,runc;
 * the directory of state roots and files: WEFT_BENCH_DIR, default /dev/shm (a tmpfs);
 * the init run: WEFT_BENCH_INIT, default packages/init/main.ts, e.g. dist/weft-init.js after
 * `deno task bundle`; several, comma-separated, are run in turn within each run, so that a
 * comparison sees the same load; WEFT_BENCH_FLAGS: deployed (default: `deno run` with the
 * V8 flags of @weft/init/run-options, as images run it), none (plain -A), or both, each init
 * with and without)
 *
 * The machine has two cores shared with other work: each figure is the
 * median of `runs` runs (default 5), printed with the range of the runs.
 *
 * @module
 */
import { createBusyboxBundle } from "@weft/runtime/testing";
import { findBinary } from "@weft/runtime";
import { initRunOptions } from "@weft/init/run-options";
import { PROFILE_VARIABLE } from "../packages/init/_profile.ts";
import {
  CONTAINER_PHASES,
  INIT_PHASES,
  median,
  printTable,
  profileRows,
  readProfile,
  type RunProfile,
} from "./_init_profile.ts";

const MAINS = (Deno.env.get("WEFT_BENCH_INIT") ??
  new URL("../packages/init/main.ts", import.meta.url).pathname).split(",");
const FLAGS = Deno.env.get("WEFT_BENCH_FLAGS") ?? "deployed";
const RUN_OPTIONS: Record<string, string[]> = { deployed: initRunOptions(), none: ["-A"] };
if (FLAGS !== "both" && !(FLAGS in RUN_OPTIONS)) {
  throw new Error(`Invalid WEFT_BENCH_FLAGS "${FLAGS}": expected deployed, none or both`);
}
/** Each init run: its file and the `deno run` options before it. */
const INITS = MAINS.flatMap((main) =>
  (FLAGS === "both" ? ["deployed", "none"] : [FLAGS]).map((flags) => ({
    main,
    runOptions: RUN_OPTIONS[flags],
  }))
);
const RUNS = Number(Deno.args[0] ?? 5);
const SIZES = (Deno.args[1] ?? "1,10,50").split(",").map(Number);
const RUNTIMES = (Deno.env.get("WEFT_BENCH_RUNTIMES") ?? "crun,runc").split(",");
const SERVICE = "trap 'exit 0' TERM; while :; do sleep 1; done";
const FLOOR = new URL("./fixtures/launch_floor/main.ts", import.meta.url).pathname;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

async function allRunning(statusFile: string, n: number): Promise<boolean> {
  try {
    const status = JSON.parse(await Deno.readTextFile(statusFile));
    const containers = Object.values(status.containers) as { state: string }[];
    return containers.length === n && containers.every((c) => c.state === "running");
  } catch {
    return false;
  }
}

/** CPU seconds: the process's own, and its reaped children's (the runtime calls). */
interface Cpu {
  self: number;
  children: number;
}

function cpuOf(pid: number): Cpu {
  // Fields after "(comm)": utime stime cutime cstime are the 12th to 15th, in clock ticks.
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  const tick = 100;
  return { self: (fields[11] + fields[12]) / tick, children: (fields[13] + fields[14]) / tick };
}

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+([0-9]+) kB/.exec(status)![1]);
}

/** Starts the init on N containers; ms to all running (as its status file says), RSS then, profile. */
async function timeInit(
  init: { main: string; runOptions: string[] },
  runtime: string,
  bundle: string,
  n: number,
  dir: string,
): Promise<{ ms: number; rss: number; cpu: Cpu; profile?: RunProfile }> {
  const root = `${dir}/root-init`;
  const statusFile = `${dir}/status.json`;
  const profileFile = `${dir}/profile.json`;
  await Deno.remove(profileFile).catch(() => {});
  await Deno.remove(statusFile).catch(() => {});
  const containers = Array.from({ length: n }, (_, i) => ({
    id: `wi-bench-${i}`,
    bundle,
    stdio: "none",
    stop: { grace: 2000 },
  }));
  const config = `${dir}/pod.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({ runtime: { name: runtime, root }, containers, statusFile }),
  );
  const started = now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...init.runOptions, init.main, "--config", config, "--log-level", "warning"],
    env: { [PROFILE_VARIABLE]: profileFile },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  let ended = false;
  child.status.then(() => ended = true);
  while (!(await allRunning(statusFile, n))) {
    if (ended) throw new Error(`weft-init ended before ${n} containers ran`);
    await sleep(5);
  }
  const ms = now() - started;
  const cpu = cpuOf(child.pid);
  // Let the start-up garbage settle before reading the resident set.
  await sleep(2000);
  const rss = rssKiB(child.pid);
  child.kill("SIGTERM");
  const { code } = await child.status;
  if (code !== 0) throw new Error(`weft-init exited with ${code}`);
  // An init without profile marks (an older one, for comparison) writes none.
  const profile = await Deno.stat(profileFile).then(
    () => readProfile(profileFile, started),
    () => undefined,
  );
  return { ms, rss, cpu, profile };
}

/**
 * The same containers from a shell: a loop of create + start, one container
 * after the other (the issue's yardstick), or, with `allAtOnce`, every
 * container's create + start in the background at once, which is the floor
 * of any launcher on this machine; ms until the last start returned.
 */
async function timeShell(
  runtime: string,
  bundle: string,
  n: number,
  dir: string,
  allAtOnce = false,
): Promise<{ ms: number; cpu: Cpu }> {
  const root = `${dir}/root-shell`;
  const binary = (await findBinary(runtime))!;
  const one = '"$1" --root "$2" create --bundle "$4" wi-shell-$i </dev/null >/dev/null 2>&1 && ' +
    '"$1" --root "$2" start wi-shell-$i';
  const script = allAtOnce
    ? `for i in $(seq 0 $(($3 - 1))); do (${one}) & done; wait; times`
    : `for i in $(seq 0 $(($3 - 1))); do ${one} || exit 1; done; times`;
  const started = now();
  const { code, stdout } = await new Deno.Command("sh", {
    args: ["-c", script, "sh", binary, root, String(n), bundle],
  }).output();
  const ms = now() - started;
  if (code !== 0) throw new Error(`the shell loop failed with ${code}`);
  // `times`: the shell's user and system time, then its children's ("0m0.012000s 0m0.020000s").
  const seconds = [...new TextDecoder().decode(stdout).matchAll(/([0-9]+)m([0-9.]+)s/g)]
    .map((m) => Number(m[1]) * 60 + Number(m[2]));
  const cpu = { self: seconds[0] + seconds[1], children: seconds[2] + seconds[3] };
  await deleteAll(binary, root, "wi-shell", n);
  return { ms, cpu };
}

/**
 * The floor of a Deno-based launcher (tests/fixtures/launch_floor/main.ts):
 * ms from starting it to every container's `run --detach` returned.
 */
async function timeDenoFloor(
  runtime: string,
  bundle: string,
  n: number,
  dir: string,
): Promise<number> {
  const root = `${dir}/root-floor`;
  const binary = (await findBinary(runtime))!;
  const started = now();
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", FLOOR, binary, root, bundle, String(n)],
  }).output();
  const ms = now() - started;
  if (code !== 0) throw new Error(`the Deno launch floor failed with ${code}`);
  await deleteAll(binary, root, "floor", n);
  return ms;
}

/** Clean up: KILL and delete containers PREFIX-0 to PREFIX-(n-1). */
async function deleteAll(binary: string, root: string, prefix: string, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) =>
    new Deno.Command(binary, {
      args: ["--root", root, "delete", "--force", `${prefix}-${i}`],
      stdout: "null",
      stderr: "null",
    }).output()));
}

/** "median (min-max)". */
function spread(values: number[], digits = 0): string {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(digits);
  return `${f(median(values))} (${f(sorted[0])}-${f(sorted.at(-1)!)})`;
}

// State roots, pod file, status file and bundle on a tmpfs, as /run is on a
// host and in weft-vm's guest (the runtimes' default roots are there): on a
// disk, the journal's contention with the runtimes' own writes slows the
// init's few file creations per call tenfold under load (measured).
const parent = Deno.env.get("WEFT_BENCH_DIR") ??
  (await Deno.stat("/dev/shm").then(() => "/dev/shm", () => undefined));
const dir = await Deno.makeTempDir({ prefix: "weft-init-bench-", dir: parent });
try {
  await using bundle = await createBusyboxBundle({ parent: dir, args: ["sh", "-c", SERVICE] });
  const rows: string[][] = [];
  const memory: string[][] = [];
  const cpuRows: string[][] = [];
  const initProfile: string[][] = [];
  const containerProfile: string[][] = [];
  for (const runtime of RUNTIMES) {
    if (await findBinary(runtime) === undefined) {
      console.error(`!!! ${runtime} is not installed: not benchmarked !!!`);
      continue;
    }
    for (const n of SIZES) {
      const init = INITS.map(() => [] as number[]);
      const rss = INITS.map(() => [] as number[]);
      const profiles = INITS.map(() => [] as RunProfile[]);
      const shell: number[] = [];
      const cpu = INITS.map(() => [] as Cpu[]);
      const shellCpu: Cpu[] = [];
      const parallel: number[] = [];
      const floor: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        for (const [i, variant] of INITS.entries()) {
          const result = await timeInit(variant, runtime, bundle.dir, n, dir);
          init[i].push(result.ms);
          rss[i].push(result.rss / 1024);
          cpu[i].push(result.cpu);
          if (result.profile) profiles[i].push(result.profile);
        }
        const loop = await timeShell(runtime, bundle.dir, n, dir);
        shell.push(loop.ms);
        shellCpu.push(loop.cpu);
        parallel.push((await timeShell(runtime, bundle.dir, n, dir, true)).ms);
        floor.push(await timeDenoFloor(runtime, bundle.dir, n, dir));
      }
      for (const i of INITS.keys()) {
        const label = [runtime, String(n), ...(INITS.length > 1 ? [String(i + 1)] : [])];
        rows.push([
          ...label,
          spread(init[i]),
          spread(shell),
          (median(init[i]) / median(shell)).toFixed(2),
          (median(init[i]) - median(shell)).toFixed(0),
          spread(parallel),
          (median(init[i]) / median(parallel)).toFixed(2),
          spread(floor),
          (median(floor) / median(shell)).toFixed(2),
        ]);
        memory.push([...label, spread(rss[i], 1)]);
        const ms = (values: number[]) => spread(values.map((v) => v * 1000));
        cpuRows.push([
          ...label,
          ms(cpu[i].map((c) => c.self)),
          ms(cpu[i].map((c) => c.children)),
          ms(shellCpu.map((c) => c.self)),
          ms(shellCpu.map((c) => c.children)),
        ]);
        if (profiles[i].length === 0) continue;
        const profile = profileRows(label, profiles[i]);
        initProfile.push(profile.init);
        containerProfile.push(profile.containers);
      }
    }
  }
  const head = ["runtime", "N", ...(INITS.length > 1 ? ["init"] : [])];
  console.log(`\nState roots and files in ${dir}`);
  console.log(
    `\nweft-init: ${
      INITS.map((init, i) => `${i + 1} = ${init.runOptions.join(" ")} ${init.main}`).join(", ")
    }`,
  );
  console.log(`\nStart to N containers running: median (min-max) of ${RUNS} runs, ms\n`);
  printTable([
    ...head,
    "weft-init",
    "shell create+start",
    "init / shell",
    "init - shell",
    "shell, all at once",
    "init / all at once",
    "Deno, all at once",
    "Deno all at once / shell",
  ], rows);
  console.log("\nweft-init resident memory (VmRSS) 2 s after N containers run: MiB\n");
  printTable([...head, "RSS MiB"], memory);
  console.log("\nCPU time until N containers run: median (min-max), ms\n");
  printTable(
    [...head, "init itself", "init's runtime calls", "shell itself", "shell's runtime calls"],
    cpuRows,
  );
  console.log("\nThe init's own start: median end of each phase, ms from exec\n");
  printTable([...head, ...INIT_PHASES], initProfile);
  console.log(
    "\nEach container's start: median ms per phase over all containers / the slowest one's" +
      " (median of runs); all running = last status write showing it, ms from exec\n",
  );
  printTable([...head, ...CONTAINER_PHASES, "all running", "writes"], containerProfile);
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
