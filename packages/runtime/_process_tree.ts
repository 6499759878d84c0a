import { childPids, readProcStat } from "./proc.ts";

/** A process by pid and start time (field 22 of its stat), so a reused pid is not mistaken for it. */
export interface TreeProcess {
  pid: number;
  start: string;
}

/**
 * `pid` and every process descended from it, read from /proc (the kernel's
 * `children` lists), parents before children.
 */
export function processTree(pid: number): TreeProcess[] {
  const out: TreeProcess[] = [];
  const queue = [pid];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    const start = readProcStat(next)?.startTime;
    if (start === undefined) continue;
    out.push({ pid: next, start });
    queue.push(...childPids(next) ?? []);
  }
  return out;
}

/** Sends `signal` to each process that is still the one recorded (same start time). */
export function signalTree(tree: readonly TreeProcess[], signal: Deno.Signal): void {
  for (const { pid, start } of tree) {
    if (readProcStat(pid)?.startTime !== start) continue;
    try {
      Deno.kill(pid, signal);
    } catch {
      // It exited in between.
    }
  }
}
