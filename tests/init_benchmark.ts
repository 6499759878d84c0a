// deno-lint-ignore-file no-console
/**
 * Benchmarks of weft-init, printed as tables (not timed tests):
 * - time from starting the init to N = 1, 10, 50 containers running, against
 *   a shell script that runs `create` then `start` for each container in turn;
 * - the init's resident memory (VmRSS) while it supervises 50 containers.
 *
 * Run: scripts/in_cgroup2_ns.sh deno run -A tests/init_benchmark.ts [runs]
 *
 * The machine has two cores shared with other work: figures are noisy, and
 * each is the median of `runs` runs (default 3).
 *
 * @module
 */
import { createBusyboxBundle } from "@weft/runtime/testing";
import { findBinary } from "@weft/runtime";

const MAIN = new URL("../packages/init/main.ts", import.meta.url).pathname;
const RUNS = Number(Deno.args[0] ?? 3);
const SIZES = [1, 10, 50];
const SERVICE = "trap 'exit 0' TERM; while :; do sleep 1; done";

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

function rssKiB(pid: number): number {
  const status = Deno.readTextFileSync(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+([0-9]+) kB/.exec(status)![1]);
}

/** Starts the init on N containers; resolves with ms to all running and its RSS then. */
async function timeInit(
  runtime: string,
  bundle: string,
  n: number,
  dir: string,
): Promise<{ ms: number; rss: number }> {
  const root = `${dir}/root-init`;
  const statusFile = `${dir}/status.json`;
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
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--config", config, "--log-level", "warning"],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  while (!(await allRunning(statusFile, n))) await sleep(5);
  const ms = performance.now() - started;
  // Let the start-up garbage settle before reading the resident set.
  await sleep(2000);
  const rss = rssKiB(child.pid);
  child.kill("SIGTERM");
  const { code } = await child.status;
  if (code !== 0) throw new Error(`weft-init exited with ${code}`);
  return { ms, rss };
}

/** The same containers with a shell loop of create + start; ms until the loop ends. */
async function timeShell(runtime: string, bundle: string, n: number, dir: string): Promise<number> {
  const root = `${dir}/root-shell`;
  const binary = (await findBinary(runtime))!;
  const script = 'for i in $(seq 0 $(($3 - 1))); do "$1" --root "$2" create --bundle "$4" ' +
    'wi-shell-$i </dev/null >/dev/null 2>&1 && "$1" --root "$2" start wi-shell-$i || exit 1; done';
  const started = performance.now();
  const { code } = await new Deno.Command("sh", {
    args: ["-c", script, "sh", binary, root, String(n), bundle],
  }).output();
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`the shell loop failed with ${code}`);
  // Clean up: KILL and delete every container of the loop.
  await Promise.all(Array.from({ length: n }, (_, i) =>
    new Deno.Command(binary, {
      args: ["--root", root, "delete", "--force", `wi-shell-${i}`],
      stdout: "null",
      stderr: "null",
    }).output()));
  return ms;
}

const dir = await Deno.makeTempDir({ prefix: "weft-init-bench-" });
try {
  await using bundle = await createBusyboxBundle({ parent: dir, args: ["sh", "-c", SERVICE] });
  const rows: string[][] = [];
  const memory: string[][] = [];
  for (const runtime of ["crun", "runc"]) {
    if (await findBinary(runtime) === undefined) {
      console.error(`!!! ${runtime} is not installed: not benchmarked !!!`);
      continue;
    }
    for (const n of SIZES) {
      const init: number[] = [];
      const rss: number[] = [];
      const shell: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const result = await timeInit(runtime, bundle.dir, n, dir);
        init.push(result.ms);
        rss.push(result.rss);
        shell.push(await timeShell(runtime, bundle.dir, n, dir));
      }
      rows.push([
        runtime,
        String(n),
        median(init).toFixed(0),
        median(shell).toFixed(0),
        (median(shell) / median(init)).toFixed(2),
      ]);
      memory.push([runtime, String(n), (median(rss) / 1024).toFixed(1)]);
    }
  }
  const table = (head: string[], body: string[][]): void => {
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      `| ${cells.map((c, i) => c.padStart(widths[i])).join(" | ")} |`;
    console.log(line(head));
    console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
    for (const row of body) console.log(line(row));
  };
  console.log(
    `\nStart to N containers running (median of ${RUNS} runs, ms; 2 shared cores, noisy)\n`,
  );
  table(["runtime", "N", "weft-init", "shell create+start", "shell / init"], rows);
  console.log("\nweft-init resident memory (VmRSS) while supervising N containers (median, MiB)\n");
  table(["runtime", "N", "RSS MiB"], memory);
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
