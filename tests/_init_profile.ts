/**
 * The per-phase profile of weft-init's start, from the marks it writes when
 * WEFT_INIT_PROFILE names a file (packages/init/_profile.ts): for
 * tests/init_benchmark.ts.
 *
 * @module
 */
import type { Profile } from "../packages/init/_profile.ts";

/** The init's own start, in ms from exec, each phase ending at its mark. */
export const INIT_PHASES = [
  "deno",
  "modules",
  "logging",
  "config",
  "preflight",
  "reaper",
  "ready",
] as const;

/** One container's start, in ms per phase (from the previous mark to this one). */
export const CONTAINER_PHASES = [
  "queue",
  "stdio",
  "create",
  "pid file",
  "start",
  "running",
  "status",
] as const;

/** The figures of one init run. */
export interface RunProfile {
  /** Each init phase's end, in ms from exec. */
  init: Record<(typeof INIT_PHASES)[number], number>;
  /** Each container's phase durations, in ms. */
  containers: Record<(typeof CONTAINER_PHASES)[number], number>[];
  /** When the last container's first status write with it running ended, in ms from exec. */
  allRunning: number;
  /** How many status file writes ended before then. */
  statusWrites: number;
}

/**
 * Reads a profile file; `execAt` is when the benchmark spawned the init
 * (`performance.timeOrigin + performance.now()` of the benchmark).
 */
export function readProfile(file: string, execAt: number): RunProfile {
  const profile: Profile = JSON.parse(Deno.readTextFileSync(file));
  const origin = profile.timeOrigin - execAt;
  const first = (phase: string, container?: string): number => {
    const found = profile.marks.find(([, p, c]) => p === phase && c === container);
    if (found === undefined) throw new Error(`No mark ${phase} ${container ?? ""} in ${file}`);
    return found[0] + origin;
  };
  const writes = profile.marks.filter(([, p]) => p === "status-written").map(([at]) => at + origin);
  const init = {
    deno: origin,
    modules: first("modules"),
    logging: first("logging"),
    config: first("config"),
    preflight: first("preflight"),
    reaper: first("reaper"),
    ready: first("ready"),
  };
  const ids = [
    ...new Set(profile.marks.filter(([, p, c]) => p === "launch" && c).map(([, , c]) => c!)),
  ];
  let allRunning = 0;
  const containers = ids.map((id) => {
    const at = {
      launch: first("launch", id),
      stdio: first("stdio", id),
      created: first("created", id),
      pid: first("pid", id),
      started: first("started", id),
      running: first("running", id),
    };
    const written = writes.find((w) => w >= at.running);
    if (written === undefined) throw new Error(`No status write after ${id} ran in ${file}`);
    allRunning = Math.max(allRunning, written);
    return {
      queue: at.launch - init.ready,
      stdio: at.stdio - at.launch,
      create: at.created - at.stdio,
      "pid file": at.pid - at.created,
      start: at.started - at.pid,
      running: at.running - at.started,
      status: written - at.running,
    };
  });
  return {
    init,
    containers,
    allRunning,
    statusWrites: writes.filter((w) => w <= allRunning).length,
  };
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Prints a Markdown table, numbers right-aligned. */
export function printTable(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(" | ")} |`;
  // deno-lint-ignore no-console
  console.log([line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...body.map(line)]
    .join("\n"));
}

/**
 * The profile table rows of several runs of one (runtime, N): the init's
 * phases as the median end time from exec, each container phase as the
 * median over every container of every run (and, after a slash, the
 * slowest container's, median over runs).
 */
export function profileRows(label: string[], runs: readonly RunProfile[]): {
  init: string[];
  containers: string[];
} {
  const init = INIT_PHASES.map((phase) => median(runs.map((r) => r.init[phase])).toFixed(1));
  const containers = CONTAINER_PHASES.map((phase) => {
    const all = runs.flatMap((r) => r.containers.map((c) => c[phase]));
    const slowest = median(runs.map((r) => Math.max(...r.containers.map((c) => c[phase]))));
    return runs[0].containers.length === 1
      ? median(all).toFixed(1)
      : `${median(all).toFixed(1)} / ${slowest.toFixed(1)}`;
  });
  const tail = [
    median(runs.map((r) => r.allRunning)).toFixed(0),
    median(runs.map((r) => r.statusWrites)).toFixed(0),
  ];
  return { init: [...label, ...init], containers: [...label, ...containers, ...tail] };
}
