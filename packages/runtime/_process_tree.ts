/** A process by pid and start time (field 22 of its stat), so a reused pid is not mistaken for it. */
export interface TreeProcess {
  pid: number;
  start: string;
}

async function startTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

async function children(pid: number): Promise<number[]> {
  const found: number[] = [];
  try {
    for await (const task of Deno.readDir(`/proc/${pid}/task`)) {
      const text = await Deno.readTextFile(`/proc/${pid}/task/${task.name}/children`)
        .catch(() => "");
      for (const word of text.split(" ")) {
        if (word !== "" && word !== "\n") found.push(Number(word));
      }
    }
  } catch {
    // The process is gone.
  }
  return found;
}

/**
 * `pid` and every process descended from it, read from /proc (the kernel's
 * `children` lists), parents before children.
 */
export async function processTree(pid: number): Promise<TreeProcess[]> {
  const out: TreeProcess[] = [];
  const queue = [pid];
  const seen = new Set<number>();
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    const start = await startTime(next);
    if (start === undefined) continue;
    out.push({ pid: next, start });
    queue.push(...await children(next));
  }
  return out;
}

/** Sends `signal` to each process that is still the one recorded (same start time). */
export async function signalTree(tree: readonly TreeProcess[], signal: Deno.Signal): Promise<void> {
  for (const { pid, start } of tree) {
    if (await startTime(pid) !== start) continue;
    try {
      Deno.kill(pid, signal);
    } catch {
      // It exited in between.
    }
  }
}
