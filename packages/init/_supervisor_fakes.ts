// Fakes for the supervisor's unit tests: a clock whose time moves only when
// told, a runtime that records its calls and whose containers end when told
// (or when signalled), and the exit watcher that delivers those ends. No
// process is ever started.
import { poll } from "@weft/runtime/testing";
import {
  ContainerExistsError,
  type ContainerState,
  parseSignal,
  type Runtime,
  type Stdio,
} from "@weft/runtime";
import type { Clock } from "./clock.ts";
import type { ExitStatus } from "./exit_status.ts";
import type { ExitWatcher } from "./pod_status.ts";
import type { UnitContext } from "./container_run.ts";

/**
 * A unit's (or a run's) context of no-ops around the parts a test gives:
 * nothing shared, no output kept, events and changes dropped.
 */
export function fakeUnitContext(
  parts: Pick<UnitContext, "runtime" | "reaper" | "clock"> & Partial<UnitContext>,
): UnitContext {
  return {
    runDir: () => "/nonexistent",
    path: "containers[0]",
    callTimeout: 1000,
    noPivot: false,
    pidOf: () => null,
    trackOutput: () => {},
    killPid: () => {},
    emit: () => {},
    changed: () => {},
    ...parts,
  };
}

/**
 * A clock whose time moves only with {@linkcode FakeClock.advance} (both
 * readings, and the timers) and {@linkcode FakeClock.stepWall} (the wall
 * clock alone, as when the host sets a VM's clock).
 */
export class FakeClock implements Clock {
  #now = 1_700_000_000_000;
  #monotonic = 1_000;
  #next = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  now(): number {
    return this.#now;
  }

  monotonic(): number {
    return this.#monotonic;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#monotonic + ms, fn });
    return id;
  }

  clearTimeout(timer: unknown): void {
    this.#timers.delete(timer as number);
  }

  /** Timers not fired yet. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time on by `ms`, firing each timer due on the way (and letting what it starts run). */
  async advance(ms: number): Promise<void> {
    const end = this.#monotonic + ms;
    for (;;) {
      const due = [...this.#timers].filter(([, t]) => t.at <= end).sort((a, b) =>
        a[1].at - b[1].at
      );
      if (due.length === 0) break;
      const [id, timer] = due[0];
      this.#timers.delete(id);
      this.#move(timer.at);
      timer.fn();
      await settle();
    }
    this.#move(end);
    await settle();
  }

  /** Sets the wall clock `ms` forward (back when negative); no time passes, no timer fires. */
  stepWall(ms: number): void {
    this.#now += ms;
  }

  #move(monotonic: number): void {
    this.#now += monotonic - this.#monotonic;
    this.#monotonic = monotonic;
  }
}

/** Lets pending promise chains and file I/O of the code under test run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Waits in real time until `predicate` holds, else fails naming `what`: only
 * promise chains and file I/O of the code under test are waited for, so it
 * holds at once on a quiet machine, and the deadline is for a loaded one.
 */
export async function until(predicate: () => boolean, what: string): Promise<void> {
  await poll(predicate, Boolean, `it to happen: ${what}`, { timeout: 10_000, interval: 1 });
}

/** Delivers the ends of fake processes, stamped with both readings of the fake clock. */
export class FakeExits implements ExitWatcher {
  readonly #clock: Clock;
  readonly #waiting = new Map<number, PromiseWithResolvers<ExitStatus>>();
  readonly #ended = new Set<number>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  #entry(pid: number): PromiseWithResolvers<ExitStatus> {
    let entry = this.#waiting.get(pid);
    if (!entry) this.#waiting.set(pid, entry = Promise.withResolvers());
    return entry;
  }

  waitPid(pid: number): Promise<ExitStatus> {
    return this.#entry(pid).promise;
  }

  /** Ends `pid` (once; later calls change nothing) with shell status `status` (above 128: killed by signal status - 128). */
  exit(pid: number, status: number): void {
    if (this.#ended.has(pid)) return;
    this.#ended.add(pid);
    const signal = status > 128 ? status - 128 : null;
    this.#entry(pid).resolve({
      pid,
      status,
      code: signal === null ? status : null,
      signal,
      at: this.#clock.now(),
      reapedAt: this.#clock.monotonic(),
    });
  }
}

/** How a fake container behaves. */
export interface FakeBehaviour {
  /** `create` fails with this message. */
  createError?: string;
  /** `start` fails with this message. */
  startError?: string;
  /** `create` waits for this before it ends. */
  createGate?: Promise<void>;
  /** `kill` waits for this before it ends. */
  killGate?: Promise<void>;
  /** The stop signal is ignored (only KILL ends it). */
  stubborn?: boolean;
}

/** A runtime whose containers are fake pids; it records every call as `verb id [signal]`. */
export class FakeRuntime implements Runtime {
  readonly name = "fake";
  readonly calls: string[] = [];
  readonly behaviour = new Map<string, FakeBehaviour>();
  readonly #pids = new Map<string, number>();
  readonly #exits: FakeExits;
  #nextPid = 100;

  constructor(exits: FakeExits) {
    this.#exits = exits;
  }

  /** Makes the runtime hold `id` already, as an init that died would leave it. */
  hold(id: string): void {
    this.#pids.set(id, this.#nextPid++);
  }

  /** The pid of `id`'s current run. */
  pid(id: string): number {
    return this.#pids.get(id) ?? 0;
  }

  async create(
    id: string,
    _bundle: string,
    _stdio?: Stdio,
    options?: { pidFile?: string },
  ): Promise<void> {
    this.calls.push(`create ${id}`);
    if (this.#pids.has(id)) {
      throw new ContainerExistsError(`Cannot create container "${id}": it already exists`, {
        id,
        argv: ["fake", "create", id],
        code: 1,
        runtimeMessage: "container already exists",
      });
    }
    const behaviour = this.behaviour.get(id) ?? {};
    await behaviour.createGate;
    if (behaviour.createError) throw new Error(behaviour.createError);
    const pid = this.#nextPid++;
    this.#pids.set(id, pid);
    await Deno.writeTextFile(options!.pidFile!, `${pid}\n`);
  }

  start(id: string): Promise<void> {
    this.calls.push(`start ${id}`);
    const error = this.behaviour.get(id)?.startError;
    return error ? Promise.reject(new Error(error)) : Promise.resolve();
  }

  state(id: string): Promise<ContainerState> {
    return Promise.resolve({ status: this.#pids.has(id) ? "running" : "", pid: this.pid(id) });
  }

  async kill(id: string, signal: string | number, options?: { all?: boolean }): Promise<void> {
    const name = parseSignal(signal).name;
    this.calls.push(`kill ${id} ${name}${options?.all ? " all" : ""}`);
    await this.behaviour.get(id)?.killGate;
    const pid = this.#pids.get(id);
    if (pid !== undefined && (name === "SIGKILL" || !this.behaviour.get(id)?.stubborn)) {
      this.#exits.exit(pid, 128 + parseSignal(signal).number);
    }
  }

  /** Like `delete --force`: a container still alive is killed first. */
  delete(id: string): Promise<void> {
    this.calls.push(`delete ${id}`);
    const pid = this.#pids.get(id);
    if (pid !== undefined) this.#exits.exit(pid, 137);
    this.#pids.delete(id);
    return Promise.resolve();
  }
}

/**
 * A FakeRuntime with the optional `run` (create and start in one call), as
 * crun, runc and youki have it; its calls show as `run id`.
 */
export class FakeRunRuntime extends FakeRuntime {
  async run(
    id: string,
    bundle: string,
    stdio?: Stdio,
    options?: { pidFile?: string },
  ): Promise<void> {
    await this.create(id, bundle, stdio, options);
    this.calls.splice(this.calls.lastIndexOf(`create ${id}`), 1, `run ${id}`);
  }
}
