import { getLogger } from "@logtape/logtape";
import { childPids, readProcStat } from "./proc.ts";

const logger = getLogger(["weft", "runtime", "cli"]);

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

/**
 * SIGTERM, then after the grace time SIGKILL, to the runtime and what it
 * forked: its whole session when it has one, else the process tree read
 * from /proc before the first signal (once the runtime dies its children
 * are reparented and can no longer be found from it).
 */
export async function stopProcess(
  child: Deno.ChildProcess,
  session: boolean,
  grace: number,
): Promise<void> {
  const tree = session ? [] : processTree(child.pid);
  // Without /proc (a PID 1 before mounting it) the tree is empty: at
  // least the runtime itself is stopped.
  const direct = !session && tree.length === 0;
  if (session) signalGroup(child.pid, "SIGTERM");
  else if (direct) killQuietly(child, "SIGTERM");
  else signalTree(tree, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    child.status,
    new Promise<void>((resolve) => timer = setTimeout(resolve, grace)),
  ]);
  clearTimeout(timer);
  // Even when the runtime itself obeyed TERM, a helper it forked may not
  // have: KILL whatever is left.
  if (session) signalGroup(child.pid, "SIGKILL");
  else if (direct) killQuietly(child, "SIGKILL");
  else signalTree([...tree, ...processTree(child.pid)], "SIGKILL");
  await child.status;
}

function killQuietly(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // It has exited.
  }
}

function signalGroup(pgid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pgid, signal);
  } catch (error) {
    // ESRCH: the group is already gone.
    if (!(error instanceof Deno.errors.NotFound)) {
      logger.warn("Cannot send {signal} to process group {pgid}: {error}", { signal, pgid, error });
    }
  }
}
