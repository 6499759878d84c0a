import { parseSignal } from "@weft/runtime";
import type { ExitStatus } from "./exit_status.ts";
import type { ExitRecord } from "./pod_status.ts";

/**
 * How many exits per container the status file keeps.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_EXIT_RECORDS } from "@weft/init";
 *
 * assert.equal(MAX_EXIT_RECORDS, 20);
 * ```
 */
export const MAX_EXIT_RECORDS = 20;

/**
 * Turns a reaper's report into the exit record of the status file: the
 * signal by name when one killed the process, else the exit code; the time
 * is the reaper's (`at`, by the wall clock), and `ranFor` runs from
 * `startedAtMonotonic` to its `reapedAt`, both on the monotonic clock, so
 * that a step of the wall clock during the run does not change it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitRecord } from "@weft/init";
 *
 * const exit = { pid: 42, status: 143, code: null, signal: 15, at: 1200, reapedAt: 80 };
 * const record = exitRecord(exit, { restartCount: 0, startedAtMonotonic: 30 });
 * assert.equal(record.signal, "SIGTERM");
 * assert.equal(record.code, null);
 * assert.equal(record.ranFor, 50);
 * ```
 */
export function exitRecord(
  exit: ExitStatus,
  run: { restartCount: number; startedAtMonotonic: number },
): ExitRecord {
  return {
    at: new Date(exit.at).toISOString(),
    status: exit.status,
    code: exit.code,
    signal: exit.signal === null ? null : signalName(exit.signal),
    restartCount: run.restartCount,
    // Whole milliseconds, as the status file has always shown them.
    ranFor: Math.max(0, Math.round(exit.reapedAt - run.startedAtMonotonic)),
  };
}

// glibc keeps signals 32 and 33 for itself and gives them no name.
function signalName(signal: number): string | null {
  try {
    return parseSignal(signal).name;
  } catch {
    return null;
  }
}

/**
 * A container's exits: the last {@linkcode MAX_EXIT_RECORDS} records, how
 * many there were, and the last status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExitHistory } from "@weft/init";
 *
 * const history = new ExitHistory();
 * history.add({ pid: 7, status: 1, code: 1, signal: null, at: 50, reapedAt: 9 }, {
 *   restartCount: 0,
 *   startedAtMonotonic: 0,
 * });
 * assert.equal(history.lastStatus, 1);
 * assert.equal(history.count, 1);
 * ```
 */
export class ExitHistory {
  readonly #records: ExitRecord[] = [];
  #count = 0;
  #lastStatus: number | null = null;

  /** Records `exit` of the run that started at `run.startedAtMonotonic` (monotonic clock), and returns its record. */
  add(exit: ExitStatus, run: { restartCount: number; startedAtMonotonic: number }): ExitRecord {
    const record = exitRecord(exit, run);
    this.#records.push(record);
    if (this.#records.length > MAX_EXIT_RECORDS) this.#records.shift();
    this.#count++;
    this.#lastStatus = exit.status;
    return record;
  }

  /** The kept records, oldest first (a copy). */
  get records(): ExitRecord[] {
    return [...this.#records];
  }

  /** How many exits there were. */
  get count(): number {
    return this.#count;
  }

  /** The last exit status, null before the first exit. */
  get lastStatus(): number | null {
    return this.#lastStatus;
  }
}
