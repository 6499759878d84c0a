/**
 * The fields of `/proc/<pid>/stat` that weft reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProcStat, type ProcStat } from "@weft/runtime";
 *
 * const stat: ProcStat = parseProcStat("42 (a) b) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 0");
 * assert.equal(stat.comm, "a) b");
 * assert.equal(stat.startTime, "777");
 * ```
 */
export interface ProcStat {
  /** Field 1: the pid. */
  pid: number;
  /** Field 2: the command name, without its parentheses. */
  comm: string;
  /** Field 3: the state letter (`R`, `S`, `Z` for a zombie...). */
  state: string;
  /** Field 4: the parent's pid. */
  ppid: number;
  /** Field 22: clock ticks after boot when it started; with the pid, who a process is. */
  startTime: string;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name may hold spaces
 * and parentheses, so the fields after it are split after the last `)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProcStat } from "@weft/runtime";
 *
 * assert.equal(parseProcStat(Deno.readTextFileSync("/proc/self/stat")).pid, Deno.pid);
 * ```
 */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  return {
    pid: Number(text.slice(0, text.indexOf(" "))),
    comm: text.slice(text.indexOf("(") + 1, close),
    state: fields[0],
    ppid: Number(fields[1]),
    startTime: fields[19],
  };
}

/**
 * Reads `/proc/<pid>/stat`; `undefined` when there is no such process (or no /proc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readProcStat } from "@weft/runtime";
 *
 * assert.equal(readProcStat("self")?.pid, Deno.pid);
 * ```
 */
export function readProcStat(pid: number | "self"): ProcStat | undefined {
  try {
    return parseProcStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return undefined;
  }
}

/**
 * Whether the process `pid` exists and is not a zombie (or dead). A zombie
 * is gone for every purpose but its parent's `wait`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isProcessAlive } from "@weft/runtime";
 *
 * assert.equal(isProcessAlive(Deno.pid), true);
 * ```
 */
export function isProcessAlive(pid: number): boolean {
  const state = readProcStat(pid)?.state;
  return state !== undefined && state !== "Z" && state !== "X" && state !== "x";
}

/**
 * The children of `pid`, from `/proc/<pid>/task/<tid>/children` (a child
 * belongs to the thread that forked it, so every thread is read);
 * `undefined` when there is no such process (or no /proc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { childPids } from "@weft/runtime";
 *
 * assert.ok(Array.isArray(childPids("self")));
 * ```
 */
export function childPids(pid: number | "self"): number[] | undefined {
  let tasks: Iterable<Deno.DirEntry>;
  try {
    tasks = Deno.readDirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const pids: number[] = [];
  for (const task of tasks) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/children`);
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const word of text.split(" ")) {
      if (word.trim() !== "") pids.push(Number(word));
    }
  }
  return pids;
}
