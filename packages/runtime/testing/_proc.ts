import { isProcessAlive, readProcStat } from "../proc.ts";

/** A process known by pid and start time, so that a reused pid is not mistaken for it. */
export interface ProcIdentity {
  /** The pid in this process's PID namespace. */
  pid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot when it started. */
  startTime: string;
}

/** Reads who `pid` is now; `undefined` when there is no such process. */
export function procIdentity(pid: number): ProcIdentity | undefined {
  const stat = readProcStat(pid);
  return stat && { pid, startTime: stat.startTime };
}

/**
 * Whether the process is still running. A zombie counts as dead: the
 * container's init is reparented to the nearest subreaper (or the host's
 * init), which reaps it whenever it likes, not to the test process.
 */
export function isAlive(process: ProcIdentity): boolean {
  return readProcStat(process.pid)?.startTime === process.startTime &&
    isProcessAlive(process.pid);
}
