/** A process known by pid and start time, so that a reused pid is not mistaken for it. */
export interface ProcIdentity {
  /** The pid in this process's PID namespace. */
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot when it started. */
  startTime: string;
}

async function readStat(pid: number): Promise<{ state: string; startTime: string } | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0], startTime: fields[19] };
}

/** Reads who `pid` is now; `undefined` when there is no such process. */
export async function procIdentity(pid: number): Promise<ProcIdentity | undefined> {
  const stat = await readStat(pid);
  return stat && { pid, startTime: stat.startTime };
}

/**
 * Whether the process is still running. A zombie counts as dead: the
 * container's init is reparented to the nearest subreaper (or the host's
 * init), which reaps it whenever it likes, not to the test process.
 */
export async function isAlive(process: ProcIdentity): Promise<boolean> {
  const stat = await readStat(process.pid);
  if (!stat || stat.startTime !== process.startTime) return false;
  return stat.state !== "Z" && stat.state !== "X" && stat.state !== "x";
}
