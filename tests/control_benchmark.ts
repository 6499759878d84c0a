// deno-lint-ignore-file no-console
/**
 * Benchmark of weft-init's control API, printed as a table (not a timed test):
 * - status call latency (p50/p99), through the typed client on the Unix socket;
 * - exec round trip (`true` in a running container) through the API, side by
 *   side with the same `exec` of @weft/runtime called in process and with
 *   `<runtime> exec` of the same container from a shell;
 * - event latency: from the reaper's time of a container's exit (the event's
 *   `at`) to the event arriving at a following client.
 *
 * Run: scripts/in_cgroup2_ns.sh deno run -A tests/control_benchmark.ts [runtime...]
 *
 * Two cores shared with other work: figures are noisy.
 *
 * @module
 */
import { ControlClient } from "@weft/control";
import { findBinary, hasExec, selectRuntime } from "@weft/runtime";
import "@weft/crun";
import "@weft/runc";
import { createBusyboxBundle } from "@weft/runtime/testing";

const MAIN = new URL("../packages/init/main.ts", import.meta.url).pathname;
const STATUS_CALLS = 500;
const EXECS = 40;
const EXITS = 40;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function bench(runtime: string): Promise<string[][]> {
  const dir = await Deno.makeTempDir({ prefix: "weft-control-bench-" });
  const socket = `${dir}/control.sock`;
  const root = `${dir}/root`;
  const svc = await createBusyboxBundle({
    parent: dir,
    args: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
  });
  const crash = await createBusyboxBundle({ parent: dir, args: ["sh", "-c", "exit 1"] });
  const config = `${dir}/pod.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      runtime: { name: runtime, root },
      control: { socket },
      containers: [
        { id: "bm-svc", bundle: svc.dir, stdio: "none" },
        {
          id: "bm-crash",
          bundle: crash.dir,
          stdio: "none",
          restart: {
            policy: "always",
            backoff: { initial: 100, factor: 1, cap: 100 },
            startLimit: 0,
          },
        },
      ],
      statusFile: `${dir}/status.json`,
    }),
  );
  const init = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--config", config, "--log-level", "warning"],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const client = new ControlClient({ transport: "unix", path: socket });
  try {
    for (;;) {
      const status = await client.status().catch(() => undefined);
      if (status?.containers["bm-svc"].state === "running") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Event latency: a follower sees each exit of the crash loop.
    const latencies: number[] = [];
    const follower = (async () => {
      for await (const frame of client.events({ follow: true, after: 0 })) {
        if ("seq" in frame && frame.event.type === "container-exited") {
          latencies.push(Date.now() - frame.event.at);
          if (latencies.length >= EXITS) return;
        }
      }
    })();

    const status: number[] = [];
    for (let i = 0; i < STATUS_CALLS; i++) status.push(await timed(() => client.status()));
    const exec: number[] = [];
    for (let i = 0; i < EXECS; i++) {
      exec.push(
        await timed(async () => {
          const { code } = await client.exec("bm-svc", ["true"]);
          if (code !== 0) throw new Error(`exec gave ${code}`);
        }),
      );
    }
    // The same call made in this process through @weft/runtime: what the API adds is the difference.
    const direct = await selectRuntime(runtime, { options: { root } });
    if (!hasExec(direct)) throw new Error(`${runtime} cannot exec`);
    const inProcess: number[] = [];
    for (let i = 0; i < EXECS; i++) {
      inProcess.push(await timed(() => direct.exec("bm-svc", ["true"], { stdio: {} })));
    }
    const binary = await findBinary(runtime);
    const shell: number[] = [];
    for (let i = 0; i < EXECS; i++) {
      shell.push(
        await timed(async () => {
          const { code } = await new Deno.Command("sh", {
            args: ["-c", `"${binary}" --root "${root}" exec bm-svc true`],
          }).output();
          if (code !== 0) throw new Error(`shell exec gave ${code}`);
        }),
      );
    }
    await follower;
    await client.stopPod("benchmark done");
    await init.status;
    const ms = (value: number): string => value.toFixed(1);
    const within = latencies.filter((value) => value <= 50).length;
    return [
      [
        runtime,
        `status (${STATUS_CALLS})`,
        ms(percentile(status, 0.5)),
        ms(percentile(status, 0.99)),
        "",
      ],
      [
        runtime,
        `exec via API (${EXECS})`,
        ms(percentile(exec, 0.5)),
        ms(percentile(exec, 0.99)),
        "",
      ],
      [
        runtime,
        `runtime.exec() in process (${EXECS})`,
        ms(percentile(inProcess, 0.5)),
        ms(percentile(inProcess, 0.99)),
        "",
      ],
      [
        runtime,
        `${runtime} exec from sh (${EXECS})`,
        ms(percentile(shell, 0.5)),
        ms(percentile(shell, 0.99)),
        "",
      ],
      [
        runtime,
        `exit reaped -> event (${EXITS})`,
        ms(percentile(latencies, 0.5)),
        ms(percentile(latencies, 0.99)),
        `${within}/${latencies.length} within 50 ms, max ${ms(Math.max(...latencies))}`,
      ],
    ];
  } finally {
    client.close();
    try {
      init.kill("SIGKILL");
    } catch {
      // Already ended.
    }
    await init.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const rows = [["runtime", "measure", "p50 ms", "p99 ms", "note"]];
for (const runtime of Deno.args.length > 0 ? Deno.args : ["crun", "runc"]) {
  rows.push(...await bench(runtime));
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
console.log(`| ${rows[0].map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`);
console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
for (const row of rows.slice(1)) {
  console.log(`| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`);
}
