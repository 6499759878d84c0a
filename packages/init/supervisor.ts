import { getLogger } from "@logtape/logtape";
import type { Runtime } from "@weft/runtime";
import { deleteLeftovers } from "./leftovers.ts";
import { notifyAll } from "./_notify.ts";
import type { PodConfig } from "./config.ts";
import { type Clock, delay, systemClock } from "./clock.ts";
import type { PodResult, SupervisorOptions } from "./supervisor_options.ts";
import { errorText, type UnitContext } from "./container_run.ts";
import { ContainerUnit } from "./container_unit.ts";
import type { PodEvent } from "./pod_event.ts";
import { PodGraph } from "./pod_graph.ts";
import { NEVER_RAN_STATUS, type PodStatus } from "./pod_status.ts";
import { StatusFile } from "./status_file.ts";
import { mark } from "./_profile.ts";
import { StartSlots } from "./_start_slots.ts";
import { PodContainerNotFoundError, PodStoppingError } from "./supervisor_errors.ts";

const logger = getLogger(["weft", "init", "supervisor"]);

/**
 * Runs a pod: one {@linkcode ContainerUnit} per container, started in
 * dependency order (independent ones in parallel) and stopped in reverse
 * order; the end rule (`pod.endWhen`), the exit code, signal forwarding, the
 * status file and the output drain are the pod's. One container's failure
 * never stops the others.
 *
 * @example
 * ```ts ignore
 * import { chooseRuntime, loadConfig, Reaper, Supervisor } from "@weft/init";
 * import "@weft/runc";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * using reaper = Reaper.start();
 * const { runtime } = await chooseRuntime(config);
 * const supervisor = new Supervisor(config, { runtime, reaper });
 * supervisor.subscribe((event) => console.log(event.type));
 * Deno.addSignalListener("SIGTERM", () => supervisor.stop("SIGTERM"));
 * const { exitCode } = await supervisor.run();
 * ```
 */
export class Supervisor {
  /** The runtime that runs the containers (for `exec` in a running one). */
  readonly runtime: Runtime;
  readonly #config: PodConfig;
  readonly #options: SupervisorOptions;
  readonly #clock: Clock;
  readonly #graph: PodGraph;
  readonly #units = new Map<string, ContainerUnit>();
  /** Forwards under way, by `id signal`: whether another is owed after the current one. */
  readonly #forwards = new Map<string, { again: boolean }>();
  readonly #statusFile: StatusFile;
  readonly #pod: PodStatus["pod"];
  readonly #listeners = new Set<(event: PodEvent) => void>();
  readonly #outputs = new Set<Promise<void>>();
  readonly #done = Promise.withResolvers<void>();
  readonly #startSlots: StartSlots;
  #runDir?: string;
  /** Set as the stop begins (before any container is stopped), so that nothing starts or restarts after. */
  #stopping?: Promise<void>;
  #stopBegun = false;
  #firstFailure?: number;

  /** Prepares the pod; nothing runs until {@linkcode Supervisor.run}. */
  constructor(config: PodConfig, options: SupervisorOptions) {
    this.#config = config;
    this.#options = options;
    this.runtime = options.runtime;
    this.#clock = options.clock ?? systemClock;
    this.#graph = new PodGraph(config.containers);
    this.#statusFile = new StatusFile(config.statusFile);
    this.#startSlots = new StartSlots(options.maxParallelStarts ?? Infinity);
    config.containers.forEach((container, i) => {
      this.#units.set(container.id, new ContainerUnit(container, this.#unitContext(i)));
    });
    this.#pod = {
      state: "starting",
      runtime: options.runtime.name,
      initPid: Deno.pid,
      startedAt: new Date(this.#clock.now()).toISOString(),
      endedAt: null,
      stopReason: null,
      exitCode: null,
    };
  }

  /** A snapshot of the pod, the same data as the status file. */
  status(): PodStatus {
    const containers: PodStatus["containers"] = {};
    for (const unit of this.#units.values()) containers[unit.id] = unit.toStatusRecord();
    return { pod: { ...this.#pod }, containers };
  }

  /**
   * Calls `listener` synchronously, in order, for every event of the pod; a
   * listener that throws is logged and disturbs nothing. Dispose the result to unsubscribe.
   */
  subscribe(listener: (event: PodEvent) => void): Disposable {
    this.#listeners.add(listener);
    return { [Symbol.dispose]: () => void this.#listeners.delete(listener) };
  }

  /**
   * Runs the pod until it ends (by `pod.endWhen` or by {@linkcode Supervisor.stop}),
   * then stops what is left, deletes every container, and resolves with the
   * pod's exit code.
   */
  async run(): Promise<PodResult> {
    this.#runDir = this.#options.runDir ?? await Deno.makeTempDir({ prefix: "weft-init-" });
    this.#publish();
    // No question to the runtime about leftovers before the start: a create
    // that finds its id taken deletes it and tries again (ContainerRun).
    mark("ready");
    logger.info("Starting pod of {count} containers on {runtime}", {
      count: this.#units.size,
      runtime: this.runtime.name,
    });
    if (!this.#stopBegun) this.#pod.state = "running";
    for (const id of this.#graph.startOrder()) void this.#startWhenReady(this.#units.get(id)!);
    this.#publish();
    await this.#done.promise;
    await deleteLeftovers(this.runtime, [...this.#units.keys()], {
      timeout: this.#config.runtime.callTimeout,
    });
    await this.#drainOutputs(1000);
    const exitCode = this.#exitCode();
    this.#pod.state = "ended";
    this.#pod.endedAt = new Date(this.#clock.now()).toISOString();
    this.#pod.exitCode = exitCode;
    this.#publish();
    await this.#statusFile.flush();
    if (this.#options.runDir === undefined) {
      await Deno.remove(this.#runDir, { recursive: true }).catch(() => {});
    }
    logger.info("Pod ended with exit code {exitCode}", { exitCode });
    this.#emit({ type: "pod-ended", at: this.#clock.now(), exitCode });
    return { exitCode, status: this.status() };
  }

  /**
   * Stops the pod: no more restarts; containers get their stop signal in
   * reverse dependency order, KILL (to all their processes) after their
   * grace period or when `pod.stopGrace` is over, and are deleted. Calling it
   * again while the stop runs changes nothing and returns the same promise.
   */
  stop(reason: string): Promise<void> {
    if (this.#stopBegun) {
      logger.info("Already stopping; {reason} changes nothing", { reason });
      return this.#stopping ?? this.#done.promise;
    }
    logger.info("Stopping the pod: {reason}", { reason });
    this.#stopBegun = true;
    this.#pod.state = "stopping";
    this.#pod.stopReason = reason;
    this.#emit({ type: "pod-stopping", at: this.#clock.now(), reason });
    this.#stopping = this.#stopAll();
    return this.#stopping;
  }

  /**
   * Sends `signal` to the init of every running container (for SIGHUP,
   * SIGUSR1...). Like the kernel's standard signals, forwards coalesce: while
   * one of `signal` to a container is under way, more of it make one more
   * after it, so a flood of signals costs at most two runtime calls per
   * container, never one each.
   */
  async forward(signal: string): Promise<void> {
    const running = [...this.#units.values()].filter((unit) => unit.phase === "running");
    await Promise.all(running.map((unit) => this.#forwardTo(unit, signal)));
  }

  async #forwardTo(unit: ContainerUnit, signal: string): Promise<void> {
    const key = `${unit.id} ${signal}`;
    const underWay = this.#forwards.get(key);
    if (underWay) {
      underWay.again = true;
      return;
    }
    const forward = { again: false };
    this.#forwards.set(key, forward);
    try {
      do {
        forward.again = false;
        logger.info("Forwarding {signal} to {container}", { signal, container: unit.id });
        await unit.signal(signal).catch((error) =>
          logger.warn("Cannot forward {signal} to {container}: {error}", {
            signal,
            container: unit.id,
            error: errorText(error),
          })
        );
      } while (forward.again && unit.phase === "running");
    } finally {
      this.#forwards.delete(key);
    }
  }

  /**
   * Sends `signal` to the init of container `id`.
   *
   * @throws {PodContainerNotFoundError} For an unknown id.
   * @throws {PodContainerNotRunningError} When it is not running.
   */
  async signalContainer(id: string, signal: string | number): Promise<void> {
    await this.#unit(id).signal(signal);
  }

  /**
   * Stops container `id` as the pod's stop does (stop signal, grace, KILL,
   * delete); it is then `stopped` for good and the pod's end rule applies.
   *
   * @throws {PodContainerNotFoundError} For an unknown id.
   */
  async stopContainer(id: string): Promise<void> {
    await this.#unit(id).stop();
  }

  /**
   * Stops container `id` (when it runs) and starts it again at once, with its backoff reset.
   *
   * @throws {PodContainerNotFoundError} For an unknown id.
   * @throws {PodStoppingError} When the pod is stopping.
   */
  async restartContainer(id: string): Promise<void> {
    const unit = this.#unit(id);
    if (this.#stopBegun) throw new PodStoppingError(id);
    await unit.restart();
  }

  #unit(id: string): ContainerUnit {
    const unit = this.#units.get(id);
    if (!unit) throw new PodContainerNotFoundError(id);
    return unit;
  }

  #unitContext(index: number): UnitContext {
    return {
      runtime: this.runtime,
      reaper: this.#options.reaper,
      clock: this.#clock,
      runDir: () => this.#runDir!,
      path: `containers[${index}]`,
      callTimeout: this.#config.runtime.callTimeout,
      noPivot: this.#config.runtime.noPivot,
      console: this.#options.console,
      pidOf: (id) => this.#units.get(id)?.pid ?? null,
      trackOutput: (done) => {
        this.#outputs.add(done);
        done.finally(() => this.#outputs.delete(done));
      },
      killPid: this.#options.killPid ?? ((pid) => Deno.kill(pid, "SIGKILL")),
      emit: (event) => this.#emit(event),
      changed: (unit) => this.#changed(unit),
      startSlot: () => this.#startSlots.acquire(),
    };
  }

  #emit(event: PodEvent): void {
    notifyAll(
      this.#listeners,
      event,
      (error) =>
        logger.error("A pod event listener threw on {type}: {error}", { type: event.type, error }),
    );
  }

  /** Schedules a status file write; the document is built when it is written (coalesced). */
  #publish(): void {
    this.#statusFile.update(() => this.status());
  }

  #changed(unit: ContainerUnit): void {
    this.#publish();
    if (unit.final) this.#ended(unit);
  }

  async #startWhenReady(unit: ContainerUnit): Promise<void> {
    const dependsOn = this.#graph.dependencies(unit.id);
    for (const dep of dependsOn) {
      const ran = await this.#units.get(dep)!.ran;
      if (this.#stopBegun || unit.phase !== "waiting") return;
      if (!ran) {
        unit.dependencyFailed(dep);
        return;
      }
    }
    if (dependsOn.length > 0) {
      logger.info("Dependencies of {container} are running: starting it", {
        container: unit.id,
        dependsOn,
      });
    }
    if (!this.#stopBegun && unit.phase === "waiting") unit.start();
  }

  /** The end rule, when a container reaches a final phase. */
  #ended(unit: ContainerUnit): void {
    if (!this.#stopBegun && this.#firstFailure === undefined) {
      if (unit.phase === "failed") this.#firstFailure = unit.lastStatus ?? NEVER_RAN_STATUS;
      else if (unit.phase === "exited" && unit.lastStatus !== 0) {
        this.#firstFailure = unit.lastStatus!;
      }
    }
    if ([...this.#units.values()].every((other) => other.final)) {
      if (!this.#stopBegun) void this.stop("every container has ended");
      return;
    }
    if (this.#stopBegun) return;
    const { endWhen } = this.#config.pod;
    if (
      endWhen === "any-ended" || (typeof endWhen === "object" && endWhen.ended.includes(unit.id))
    ) {
      void this.stop(`container "${unit.id}" ended`);
    }
  }

  async #stopAll(): Promise<void> {
    // Nothing waiting or backing off may start once the stop has begun.
    for (const unit of this.#units.values()) {
      if (unit.phase === "waiting" || unit.phase === "backoff") void unit.stop();
    }
    const units = [...this.#units.values()];
    const podDeadline = delay(this.#clock, this.#config.pod.stopGrace);
    podDeadline.promise.then(() => {
      const alive = units.filter((unit) => unit.pid !== null && !unit.final);
      if (alive.length === 0) return;
      logger.warn("Pod stop grace of {grace} ms is over: killing {ids}", {
        grace: this.#config.pod.stopGrace,
        ids: alive.map((unit) => unit.id),
      });
      for (const unit of alive) void unit.kill();
    });
    await this.#graph.inStopOrder((id) => this.#units.get(id)!.stop());
    podDeadline.cancel();
    this.#done.resolve();
  }

  async #drainOutputs(ms: number): Promise<void> {
    if (this.#outputs.size === 0) return;
    const wait = delay(this.#clock, ms);
    await Promise.race([Promise.all(this.#outputs), wait.promise]);
    wait.cancel();
  }

  #exitCode(): number {
    const rule = this.#config.pod.exitCode;
    if (rule.from === "container") {
      return this.#units.get(rule.id)!.lastStatus ?? NEVER_RAN_STATUS;
    }
    return this.#firstFailure ?? 0;
  }
}
