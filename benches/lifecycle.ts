// deno-lint-ignore-file no-console
/**
 * Compares create -> start -> state -> kill -> delete through the weft
 * plugins with the same five commands run by a plain shell script
 * (benches/lifecycle.sh) on the same bundle, and prints the medians and
 * the ratio plugin/shell per runtime (goal: at most 1.05). A third column
 * spawns the same five commands with bare `Deno.Command`, to tell Deno's own
 * process handling from the driver's. Rounds of the three rotate, so that
 * load from elsewhere hits all alike; the machines are shared, so expect
 * noise and look at several runs.
 *
 * Run (crun needs a pure cgroup2 hierarchy, see scripts/in_cgroup2_ns.sh):
 *   scripts/in_cgroup2_ns.sh deno run -A benches/lifecycle.ts [--rounds 40] [--runtime crun]
 */
import { parseArgs } from "node:util";
import { findBinary, type Runtime } from "@weft/runtime";
import { createBusyboxBundle } from "@weft/runtime/testing";
import { CrunRuntime } from "@weft/crun";
import { RuncRuntime } from "@weft/runc";
import { median } from "../tests/_init_profile.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "40" },
    warmup: { type: "string", default: "3" },
    runtime: { type: "string", multiple: true },
  },
});
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const names = values.runtime ?? ["crun", "runc"];
const SHELL = new URL("./lifecycle.sh", import.meta.url).pathname;

async function viaShell(binary: string, root: string, bundle: string, id: string): Promise<number> {
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args: [SHELL, binary, root, bundle, id, "1"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`shell round failed: ${new TextDecoder().decode(stderr)}`);
  return Number(new TextDecoder().decode(stdout).trim()) / 1000;
}

/** The five commands spawned by Deno directly: what Deno's own process handling costs. */
async function viaDeno(binary: string, root: string, bundle: string, id: string): Promise<number> {
  const run = (args: string[]) =>
    new Deno.Command(binary, {
      args: ["--root", root, ...args],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
  const start = performance.now();
  await run(["create", "--bundle", bundle, id]);
  await run(["start", id]);
  await run(["state", id]);
  await run(["kill", id, "9"]);
  await run(["delete", "--force", id]);
  return performance.now() - start;
}

async function viaPlugin(runtime: Runtime, bundle: string, id: string): Promise<number> {
  const start = performance.now();
  await runtime.create(id, bundle);
  await runtime.start(id);
  await runtime.state(id);
  await runtime.kill(id, "KILL");
  await runtime.delete(id, { force: true });
  return performance.now() - start;
}

const rows: string[][] = [];
for (const name of names) {
  const binary = await findBinary(name);
  if (binary === undefined) {
    console.error(`${name}: not installed, skipped`);
    continue;
  }
  await using bundle = await createBusyboxBundle({ args: ["sleep", "1000"] });
  // Under /run, as the default state root /run/weft/<name> is: a tmpfs on
  // most hosts, so file creation there is cheap for both sides.
  const root = await Deno.makeTempDir({ dir: "/run", prefix: `weft-bench-${name}-` });
  const runtime = name === "crun" ? new CrunRuntime({ root }) : new RuncRuntime({ root });
  const shell: number[] = [];
  const plugin: number[] = [];
  const deno: number[] = [];
  try {
    for (let i = 0; i < warmup + rounds; i++) {
      const id = `bench-${name}-${crypto.randomUUID().slice(0, 8)}`;
      // Alternate which goes first, so neither always runs on a warmer cache.
      // Rotate which goes first, so that none always runs on a warmer cache.
      const runs = [
        () => viaShell(binary, root, bundle.dir, `${id}-s`),
        () => viaDeno(binary, root, bundle.dir, `${id}-d`),
        () => viaPlugin(runtime, bundle.dir, `${id}-p`),
      ];
      const took = [0, 0, 0];
      for (let k = 0; k < 3; k++) {
        const which = (i + k) % 3;
        took[which] = await runs[which]();
      }
      const [viaShellMs, viaDenoMs, viaPluginMs] = took;
      if (i < warmup) continue;
      shell.push(viaShellMs);
      deno.push(viaDenoMs);
      plugin.push(viaPluginMs);
    }
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
  const s = median(shell);
  const d = median(deno);
  const p = median(plugin);
  rows.push([
    name,
    `${rounds}`,
    s.toFixed(1),
    d.toFixed(1),
    p.toFixed(1),
    (d / s).toFixed(3),
    (p / s).toFixed(3),
  ]);
}

const header = [
  "runtime",
  "rounds",
  "shell ms",
  "Deno.Command ms",
  "plugin ms",
  "Deno.Command/shell",
  "plugin/shell",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join("  ");
console.log(line(header));
for (const row of rows) console.log(line(row));
