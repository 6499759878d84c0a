import { getLogger } from "npm:@logtape/logtape@^2.4.2";
import {
  type CallOptions,
  type ContainerState,
  type CreateOptions,
  type DeleteOptions,
  InvalidArgumentError,
  type KillOptions,
  type Runtime,
  type Stdio,
} from "@weft/runtime";

const logger = getLogger(["weft", "plugin", "timed"]);

/** The calls of the {@linkcode Runtime} interface. */
export type RuntimeMethod = "create" | "start" | "state" | "kill" | "delete";

/** One call made through a {@linkcode TimedRuntime}. */
export interface CallRecord {
  /** The wrapped runtime's name. */
  runtime: string;
  /** The call. */
  method: RuntimeMethod;
  /** The container id it was about. */
  id: string;
  /** When it started, in milliseconds since the epoch. */
  startedAt: number;
  /** How long it took, in milliseconds (monotonic clock). */
  durationMs: number;
  /** Whether it resolved or rejected. */
  outcome: "ok" | "error";
  /** The error's class name, for a rejected call. */
  error?: string;
  /** The error's message, for a rejected call. */
  message?: string;
}

/** Per-call statistics of {@linkcode TimedRuntime.summary}. */
export interface CallSummary {
  /** Calls made. */
  calls: number;
  /** Calls that rejected. */
  errors: number;
  /** Sum of the durations, in milliseconds. */
  totalMs: number;
  /** Mean duration, in milliseconds. */
  meanMs: number;
  /** Longest duration, in milliseconds. */
  maxMs: number;
}

/** Options of {@linkcode TimedRuntime}. */
export interface TimedRuntimeOptions {
  /** The name this runtime reports: the plugin's, as `Runtime.name` asks. @default {"timed"} */
  name?: string;
  /** How many records are kept; older ones are dropped first. @default {10000} */
  maxRecords?: number;
}

/**
 * A {@linkcode Runtime} that wraps another one and records the duration and
 * outcome of every call: kept in memory ({@linkcode TimedRuntime.records},
 * {@linkcode TimedRuntime.summary}) and logged through LogTape under the
 * category `["weft", "plugin", "timed"]`. Errors pass through unchanged.
 *
 * @example
 * ```ts ignore
 * import { OciCliRuntime } from "@weft/runtime";
 * import { TimedRuntime } from "./mod.ts";
 *
 * const timed = new TimedRuntime(new OciCliRuntime({ name: "runc", root: "/run/weft/runc" }));
 * await timed.state("web");
 * console.log(timed.summary().state);
 * ```
 */
export class TimedRuntime implements Runtime {
  /** The name this runtime reports. */
  readonly name: string;
  /** The runtime every call goes to. */
  readonly inner: Runtime;
  readonly #maxRecords: number;
  #records: CallRecord[] = [];

  /** Wraps `inner`. */
  constructor(inner: Runtime, options: TimedRuntimeOptions = {}) {
    const maxRecords = options.maxRecords ?? 10_000;
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new InvalidArgumentError(
        `Invalid maxRecords ${JSON.stringify(maxRecords)}: expected a positive integer`,
        { argument: "options.maxRecords", value: maxRecords },
      );
    }
    this.inner = inner;
    this.name = options.name ?? "timed";
    this.#maxRecords = maxRecords;
  }

  create(
    id: string,
    bundleDir: string,
    stdio?: Stdio,
    options?: CreateOptions,
  ): Promise<void> {
    return this.#time("create", id, () => this.inner.create(id, bundleDir, stdio, options));
  }

  start(id: string, options?: CallOptions): Promise<void> {
    return this.#time("start", id, () => this.inner.start(id, options));
  }

  state(id: string, options?: CallOptions): Promise<ContainerState> {
    return this.#time("state", id, () => this.inner.state(id, options));
  }

  kill(id: string, signal: string | number, options?: KillOptions): Promise<void> {
    return this.#time("kill", id, () => this.inner.kill(id, signal, options));
  }

  delete(id: string, options?: DeleteOptions): Promise<void> {
    return this.#time("delete", id, () => this.inner.delete(id, options));
  }

  /** The calls recorded so far, oldest first (a copy). */
  records(): CallRecord[] {
    return this.#records.map((record) => ({ ...record }));
  }

  /** Count, errors, total, mean and longest duration of each call made so far. */
  summary(): Partial<Record<RuntimeMethod, CallSummary>> {
    const summary: Partial<Record<RuntimeMethod, CallSummary>> = {};
    for (const record of this.#records) {
      const entry = summary[record.method] ??= {
        calls: 0,
        errors: 0,
        totalMs: 0,
        meanMs: 0,
        maxMs: 0,
      };
      entry.calls++;
      if (record.outcome === "error") entry.errors++;
      entry.totalMs += record.durationMs;
      entry.maxMs = Math.max(entry.maxMs, record.durationMs);
      entry.meanMs = entry.totalMs / entry.calls;
    }
    return summary;
  }

  /** Forgets every record. */
  clear(): void {
    this.#records = [];
  }

  async #time<T>(method: RuntimeMethod, id: string, call: () => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    const start = performance.now();
    const record = (outcome: "ok" | "error", error?: unknown): CallRecord => {
      const entry: CallRecord = {
        runtime: this.inner.name,
        method,
        id,
        startedAt,
        durationMs: performance.now() - start,
        outcome,
      };
      if (error !== undefined) {
        entry.error = (error as Error)?.name ?? typeof error;
        entry.message = (error as Error)?.message ?? String(error);
      }
      this.#records.push(entry);
      if (this.#records.length > this.#maxRecords) this.#records.shift();
      return entry;
    };
    try {
      // The call may throw synchronously (a bad argument): that is an outcome too.
      const result = await call();
      const entry = record("ok");
      logger.info("{runtime} {method} {id}: ok in {durationMs} ms", { ...entry });
      return result;
    } catch (error) {
      const entry = record("error", error);
      logger.warn("{runtime} {method} {id}: {error} in {durationMs} ms: {message}", { ...entry });
      throw error;
    }
  }
}
