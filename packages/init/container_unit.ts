import { getLogger } from "@logtape/logtape";
import { parseSignal } from "@weft/runtime";
import type { ContainerConfig } from "./config.ts";
import { ContainerRun, errorText, type UnitContext } from "./container_run.ts";
import type { ExitStatus } from "./exit_status.ts";
import type { PodEvent } from "./pod_event.ts";
import { decideRestart } from "./restart_policy.ts";
import type { ContainerPhase, ContainerStatusRecord, ExitRecord } from "./pod_status.ts";
import { ExitHistory } from "./exit_history.ts";
import {
  ContainerRestartSupersededError,
  IllegalTransitionError,
  PodContainerNotRunningError,
} from "./supervisor_errors.ts";
import { isFinal, TRANSITIONS } from "./container_phase.ts";
import { mark } from "./_profile.ts";

const logger = getLogger(["weft", "init", "supervisor"]);

/**
 * One container's lifecycle. Its phase changes in one place, along
 * {@linkcode TRANSITIONS}; events are its methods ({@linkcode ContainerUnit.start},
 * {@linkcode ContainerUnit.stop}, {@linkcode ContainerUnit.restart},
 * {@linkcode ContainerUnit.kill}, and the exits and backoff timers it waits
 * for itself). Its status record is output only.
 *
 * @example
 * ```ts ignore
 * import { ContainerUnit } from "@weft/init";
 *
 * const unit = new ContainerUnit(config.containers[0], context);
 * unit.start();
 * await unit.stop();
 * console.log(unit.toStatusRecord().state); // "stopped"
 * ```
 */
export class ContainerUnit {
  /** The container's configuration. */
  readonly config: ContainerConfig;
  readonly #ctx: UnitContext;
  #phase: ContainerPhase = "waiting";
  #restartCount = 0;
  #startedAt: number | null = null;
  #nextStartAt: number | null = null;
  readonly #exits = new ExitHistory();
  #error: string | null = null;
  #unstableStarts = 0;
  #everRan = false;
  readonly #ran = Promise.withResolvers<boolean>();
  #timer?: unknown;
  #run?: ContainerRun;
  /** The current cycle (create to exit handled) and its create-and-start part. */
  #activity: Promise<void> = Promise.resolve();
  #starting: Promise<void> = Promise.resolve();
  /** What a stop or restart in progress wants once the run is over (the last asked wins). */
  #intent?: "stop" | "restart";
  /** Runs launched so far: tells a restart whether it was carried out. */
  #launches = 0;
  /** The pod is stopping: a run that ends is not restarted. */
  #podStopping = false;

  /** A unit in phase `waiting`; nothing runs until {@linkcode ContainerUnit.start}. */
  constructor(config: ContainerConfig, context: UnitContext) {
    this.config = config;
    this.#ctx = context;
  }

  /** The container id. */
  get id(): string {
    return this.config.id;
  }

  /** Its phase. */
  get phase(): ContainerPhase {
    return this.#phase;
  }

  /** Whether it is exited, failed or stopped. */
  get final(): boolean {
    return isFinal(this.#phase);
  }

  /** The pid of its init while it exists, else null. */
  get pid(): number | null {
    return this.#run && !this.#run.exited ? this.#run.pid : null;
  }

  /** Its last exit status, null before its first exit. */
  get lastStatus(): number | null {
    return this.#exits.lastStatus;
  }

  /** Resolves with true once it first runs, with false if it ends without ever running. */
  get ran(): Promise<boolean> {
    return this.#ran.promise;
  }

  /** Its record in the status file (a new object each call). */
  toStatusRecord(): ContainerStatusRecord {
    const iso = (ms: number | null): string | null =>
      ms === null ? null : new Date(ms).toISOString();
    return {
      state: this.#phase,
      pid: this.final ? null : this.pid,
      restartCount: this.#restartCount,
      startedAt: iso(this.#startedAt),
      nextStartAt: iso(this.#nextStartAt),
      lastStatus: this.#exits.lastStatus,
      exitCount: this.#exits.count,
      exits: this.#exits.records,
      error: this.#error,
    };
  }

  /**
   * Event "start": creates and starts the container now (from waiting or backoff).
   *
   * @throws {IllegalTransitionError} In any other phase: a second run would
   * race the one in progress, and a final container leaves it only by restart.
   */
  start(): void {
    if (this.#phase !== "waiting" && this.#phase !== "backoff") {
      throw new IllegalTransitionError(this.id, this.#phase, "creating");
    }
    // From backoff: the pending restart timer would launch a second run.
    if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
    this.#launch();
  }

  /** Event "a dependency never ran": the container cannot start. */
  dependencyFailed(dependency: string): void {
    const error = `Cannot start container "${this.id}": its dependency "${dependency}" never ran`;
    logger.error("{error}", { container: this.id, error });
    this.#error = error;
    this.#fail(error);
  }

  /**
   * Event "stop": a waiting or backing-off container stops at once; one being
   * created is deleted as soon as its create ends (or stopped like a running
   * one if its start won); a running one gets its stop signal, then KILL to
   * all its processes after its grace period; it is deleted, and is then
   * `stopped` for good. Resolves once it is.
   */
  async stop(): Promise<void> {
    this.#intent = "stop";
    await this.#halt();
  }

  /**
   * Event "restart": stops the container as {@linkcode ContainerUnit.stop}
   * does (when it runs or is being created), then creates it again at once,
   * with its backoff reset. Asked while a stop is in progress, it takes that
   * stop's place: the stop completes (signal, grace, KILL, delete) and the
   * container is then created again instead of staying stopped. Resolves
   * once the new run is launched.
   *
   * @throws {ContainerRestartSupersededError} When a stop asked after it
   * (of this container or of the pod) wins: the container ends stopped.
   */
  async restart(): Promise<void> {
    if (this.#phase === "waiting" || this.#phase === "backoff" || this.final) {
      this.#unstableStarts = 0;
      if (this.#phase !== "waiting") this.#restartCount++;
      if (this.#timer !== undefined) this.#ctx.clock.clearTimeout(this.#timer);
      this.#launch();
      return;
    }
    const launches = this.#launches;
    if (this.#intent === "stop") {
      logger.info("Restart of {container} asked while it stops: it is created again once stopped", {
        container: this.id,
      });
    }
    this.#intent = "restart";
    await this.#halt();
    // The launch happens as the stopped run's cycle ends, before #halt returns.
    if (this.#launches === launches) throw new ContainerRestartSupersededError(this.id);
  }

  /**
   * Event "the pod stops": no restart from now on. A waiting or backing-off
   * container stops at once; a restart in progress becomes a stop (its run is
   * being stopped already); a run that ends by itself before the pod's stop
   * reaches it ends `stopped` instead of restarting.
   */
  podStopping(): void {
    this.#podStopping = true;
    const pending = this.#phase === "waiting" || this.#phase === "backoff";
    if (pending || this.#intent === "restart") void this.stop();
  }

  /** Event "kill": KILL to every process of the container (the pod's stop deadline). */
  async kill(): Promise<void> {
    await this.#run?.killAll();
  }

  /**
   * Sends `signal` to the container's init.
   *
   * @throws {PodContainerNotRunningError} When it is not running.
   */
  async signal(signal: string | number): Promise<void> {
    if (this.#phase !== "running" && this.#phase !== "stopping") {
      throw new PodContainerNotRunningError(this.id, this.#phase);
    }
    await this.#ctx.runtime.kill(this.id, signal, { timeout: this.#ctx.callTimeout });
  }

  /** The one place the phase changes. */
  #enter(phase: ContainerPhase): void {
    if (!TRANSITIONS[this.#phase].includes(phase)) {
      throw new IllegalTransitionError(this.id, this.#phase, phase);
    }
    this.#phase = phase;
    if (phase !== "backoff") this.#nextStartAt = null;
    if (phase === "running" && !this.#everRan) {
      this.#everRan = true;
      this.#ran.resolve(true);
    }
    if (this.final) {
      this.#intent = undefined;
      if (!this.#everRan) this.#ran.resolve(false);
    }
    this.#ctx.changed(this);
  }

  #emit(event: PodEvent): void {
    this.#ctx.emit(event);
  }

  async #halt(): Promise<void> {
    const at = this.#ctx.clock.now();
    if (this.#phase === "waiting") {
      this.#stopped(at);
      return;
    }
    if (this.#phase === "backoff") {
      this.#ctx.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#afterStop();
      return;
    }
    if (this.final) return;
    const activity = this.#activity;
    // A create or start in progress finishes first: a create sees the intent
    // and undoes itself, a start leaves a running container to stop below.
    await this.#starting;
    const run = this.#run;
    if (this.#phase === "running" && run && !run.exited) await this.#terminate(run);
    await activity;
  }

  #stopped(at: number): void {
    this.#enter("stopped");
    this.#emit({ type: "container-stopped", id: this.id, at });
  }

  #fail(reason: string): void {
    this.#enter("failed");
    this.#emit({ type: "container-failed", id: this.id, at: this.#ctx.clock.now(), reason });
  }

  async #terminate(run: ContainerRun): Promise<void> {
    const signal = parseSignal(this.config.stop.signal).name;
    this.#enter("stopping");
    this.#emit({ type: "container-stopping", id: this.id, at: this.#ctx.clock.now(), signal });
    await run.stop(signal, this.config.stop.grace);
  }

  #launch(): void {
    this.#launches++;
    this.#timer = undefined;
    this.#error = null;
    mark("launch", this.id);
    this.#enter("creating");
    const starting = Promise.withResolvers<void>();
    this.#starting = starting.promise;
    this.#activity = this.#cycle(starting.resolve).catch((error) => {
      logger.fatal("Supervising {container} failed: {error}", { container: this.id, error });
      this.#error = errorText(error);
      if (!this.final) this.#fail(this.#error);
    }).finally(starting.resolve);
  }

  async #cycle(started: () => void): Promise<void> {
    const release = await this.#ctx.startSlot?.();
    let run: ContainerRun | undefined;
    try {
      run = await this.#createAndStart();
    } finally {
      release?.();
    }
    if (run === undefined) return;
    this.#enter("running");
    mark("running", this.id);
    started();
    this.#emit({ type: "container-started", id: this.id, at: this.#ctx.clock.now(), pid: run.pid });
    logger.info("Container {container} is running with pid {pid}", {
      container: this.id,
      pid: run.pid,
      restartCount: this.#restartCount,
    });
    const exit = await run.exit;
    const record = this.#recordExit(run, exit);
    await run.deleteAfterExit();
    this.#run = undefined;
    this.#afterRun(exit.status, record.ranFor, undefined);
  }

  /** Creates and starts a run; when it does not run, decides what follows and gives undefined. */
  async #createAndStart(): Promise<ContainerRun | undefined> {
    if (this.#intent !== undefined) {
      // The stop began while this container waited for a start slot: nothing to undo.
      this.#afterRun(undefined, 0, undefined);
      return undefined;
    }
    const run = new ContainerRun(this.config, this.#ctx);
    const created = await run.create();
    if (created !== undefined) {
      this.#afterRun(undefined, 0, created.error);
      return undefined;
    }
    this.#run = run;
    this.#emit({ type: "container-created", id: this.id, at: run.startedAt, pid: run.pid });
    if (this.#intent !== undefined) {
      // The stop began while this container was being created: never let it run
      // (a runtime with `run` has started it already: it is killed at once).
      await run.killAndDelete();
      this.#run = undefined;
      this.#afterRun(undefined, 0, undefined);
      return undefined;
    }
    this.#startedAt = run.startedAt;
    const error = await run.start();
    if (error !== undefined) {
      this.#run = undefined;
      this.#afterRun(undefined, 0, error);
      return undefined;
    }
    return run;
  }

  #recordExit(run: ContainerRun, exit: ExitStatus): ExitRecord {
    const record = this.#exits.add(exit, {
      restartCount: this.#restartCount,
      startedAtMonotonic: run.startedAtMonotonic,
    });
    logger.info("Container {container} (pid {pid}) exited with status {status}", {
      container: this.id,
      pid: exit.pid,
      status: exit.status,
      code: record.code,
      signal: record.signal,
      ranFor: record.ranFor,
    });
    this.#emit({
      type: "container-exited",
      id: this.id,
      at: exit.at,
      pid: exit.pid,
      code: record.code,
      signal: record.signal,
      status: exit.status,
      restartCount: this.#restartCount,
    });
    this.#ctx.changed(this);
    return record;
  }

  /** After a stop or restart: the run (if any) is over and deleted. */
  #afterStop(failedToStart = false): void {
    if (this.#intent === "restart") {
      this.#intent = undefined;
      this.#unstableStarts = 0;
      this.#restartCount++;
      this.#launch();
    } else if (failedToStart) this.#fail(this.#error!);
    else this.#stopped(this.#ctx.clock.now());
  }

  /** Decides what follows a run that ended (or never started). */
  #afterRun(status: number | undefined, ranFor: number, error: string | undefined): void {
    if (error !== undefined) this.#error = error;
    if (this.#intent !== undefined) {
      this.#afterStop(status === undefined && !this.#everRan && error !== undefined);
      return;
    }
    const decision = decideRestart(this.config.restart, {
      status,
      ranFor,
      unstableStarts: this.#unstableStarts,
    });
    if (decision.action === "end") {
      logger.info("Container {container} ended with status {status}: not restarted ({reason})", {
        container: this.id,
        status,
        reason: decision.reason,
      });
      this.#enter("exited");
      return;
    }
    if (decision.action === "restart" && this.#podStopping) {
      logger.info(
        "Container {container} ended with status {status}: not restarted (the pod is stopping)",
        {
          container: this.id,
          status,
        },
      );
      this.#stopped(this.#ctx.clock.now());
      return;
    }
    this.#unstableStarts = decision.unstableStarts;
    if (decision.action === "fail") {
      const why = decision.reason === "start-limit"
        ? `start limit reached: ${decision.unstableStarts} unstable starts in a row`
        : "it could not be started and its policy is never";
      logger.error("Container {container} failed: {why}", { container: this.id, why, status });
      if (this.#error === null) this.#error = why;
      else if (decision.reason === "start-limit") {
        this.#error = `${why}; last error: ${this.#error}`;
      }
      this.#fail(this.#error);
      return;
    }
    const now = this.#ctx.clock.now();
    this.#nextStartAt = now + decision.delay;
    this.#enter("backoff");
    logger.info("Restarting container {container} in {delay} ms", {
      container: this.id,
      status,
      delay: decision.delay,
      unstableStarts: decision.unstableStarts,
      restartCount: this.#restartCount + 1,
    });
    this.#emit({
      type: "container-restarting",
      id: this.id,
      at: now,
      delay: decision.delay,
      restartCount: this.#restartCount + 1,
    });
    this.#timer = this.#ctx.clock.setTimeout(() => {
      this.#restartCount++;
      this.#launch();
    }, decision.delay);
  }
}
