import { getLogger } from "@logtape/logtape";
import { bundleDirFor, type PodSpec, removeBundle, writeBundle } from "@weft/bundle";
import {
  ContainerNotFoundError,
  ContainerNotRunningError,
  parseSignal,
  type Runtime,
} from "@weft/runtime";
import type { ContainerConfig, PodConfig } from "./config.ts";
import {
  type ContainerStdio,
  openContainerStdio,
  type OpenContainerStdioOptions,
} from "./container_stdio.ts";
import { decideRestart } from "./restart_policy.ts";
import { StatusFile } from "./status_file.ts";
import {
  type ContainerStatusRecord,
  type ExitRecord,
  exitRecord,
  type ExitWatcher,
  MAX_EXIT_RECORDS,
  NEVER_RAN_STATUS,
  type PodStatus,
  type ProcessExit,
} from "./pod_status.ts";

const logger = getLogger(["weft", "init", "supervisor"]);

/**
 * Options of {@linkcode Supervisor}.
 *
 * @example
 * ```ts ignore
 * import { loadConfig, Reaper, Supervisor, type SupervisorOptions } from "@weft/init";
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/crun";
 *
 * using reaper = Reaper.start();
 * const root = "/run/weft/crun";
 * const options: SupervisorOptions = { runtime: await selectRuntime("crun", { options: { root } }), reaper, root };
 * await new Supervisor(await loadConfig("/etc/weft/pod.json"), options).run();
 * ```
 */
export interface SupervisorOptions {
  /** The runtime that runs the containers. */
  runtime: Runtime;
  /** Where container exits come from. */
  reaper: ExitWatcher;
  /** The runtime's state root, emptied of this pod's containers at the start and the end. */
  root: string;
  /** A private directory for pid files. @default {a new temporary directory} */
  runDir?: string;
  /** Where console output goes (for tests). @default {Deno.stdout and Deno.stderr} */
  console?: OpenContainerStdioOptions;
}

/**
 * The end of a pod.
 *
 * @example
 * ```ts ignore
 * import { loadConfig, type PodResult, Reaper, Supervisor } from "@weft/init";
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/crun";
 *
 * using reaper = Reaper.start();
 * const root = "/run/weft/crun";
 * const runtime = await selectRuntime("crun", { options: { root } });
 * const result: PodResult = await new Supervisor(await loadConfig("/etc/weft/pod.json"), { runtime, reaper, root }).run();
 * console.log(result.exitCode, result.status.pod.stopReason);
 * ```
 */
export interface PodResult {
  /** The pod's exit code, decided by `pod.exitCode`. */
  exitCode: number;
  /** The final status, as last written to the status file. */
  status: PodStatus;
}

interface Run {
  pid: number;
  startedAt: number;
  exit: Promise<ProcessExit>;
  exited: boolean;
}

interface Slot {
  config: ContainerConfig;
  record: ContainerStatusRecord;
  unstableStarts: number;
  /** The current run, from `create` until its exit has been handled. */
  run?: Run;
  /** Settles once the current activity (create, run, delete) is over. */
  busy?: Promise<void>;
  /** Settles once the current create and start are over (the run is then running or gone). */
  starting?: Promise<void>;
  timer?: ReturnType<typeof setTimeout>;
  everRan: boolean;
  ready: PromiseWithResolvers<boolean>;
  final: boolean;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Runs a pod: creates and starts its containers in dependency order
 * (independent ones in parallel), learns each container's pid from a pid
 * file and its exit from the reaper, applies restart policies with backoff
 * on timers, records every exit in the status file, forwards signals, and
 * stops everything gracefully: the stop signal in reverse dependency order,
 * the grace period, KILL to every process, `delete`. One container's failure
 * never stops the others.
 *
 * @example
 * ```ts ignore
 * import { loadConfig, Supervisor } from "@weft/init";
 * import { Reaper } from "@weft/init";
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/runc";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * using reaper = Reaper.start();
 * const runtime = await selectRuntime("runc", { options: { root: "/run/weft/runc" } });
 * const supervisor = new Supervisor(config, { runtime, reaper, root: "/run/weft/runc" });
 * Deno.addSignalListener("SIGTERM", () => supervisor.stop("SIGTERM"));
 * const { exitCode } = await supervisor.run();
 * ```
 */
export class Supervisor {
  readonly #config: PodConfig;
  readonly #options: SupervisorOptions;
  readonly #slots = new Map<string, Slot>();
  readonly #statusFile: StatusFile;
  readonly #status: PodStatus;
  readonly #ended = Promise.withResolvers<void>();
  #runDir?: string;
  #stopping?: Promise<void>;
  #firstFailure?: number;
  #outputs = new Set<Promise<void>>();

  /** Prepares the pod; nothing runs until {@linkcode Supervisor.run}. */
  constructor(config: PodConfig, options: SupervisorOptions) {
    this.#config = config;
    this.#options = options;
    this.#statusFile = new StatusFile(config.statusFile);
    const containers: Record<string, ContainerStatusRecord> = {};
    for (const container of config.containers) {
      const record: ContainerStatusRecord = {
        state: "waiting",
        pid: null,
        restartCount: 0,
        startedAt: null,
        nextStartAt: null,
        lastStatus: null,
        exitCount: 0,
        exits: [],
        error: null,
      };
      containers[container.id] = record;
      this.#slots.set(container.id, {
        config: container,
        record,
        unstableStarts: 0,
        everRan: false,
        ready: Promise.withResolvers<boolean>(),
        final: false,
      });
    }
    this.#status = {
      pod: {
        state: "starting",
        runtime: options.runtime.name,
        initPid: Deno.pid,
        startedAt: new Date().toISOString(),
        endedAt: null,
        stopReason: null,
        exitCode: null,
      },
      containers,
    };
  }

  /** A copy of the current status. */
  get status(): PodStatus {
    return structuredClone(this.#status);
  }

  /**
   * Runs the pod until it ends (by `pod.endWhen` or by {@linkcode Supervisor.stop}),
   * then stops what is left, deletes every container, and resolves with the
   * pod's exit code.
   */
  async run(): Promise<PodResult> {
    this.#runDir = this.#options.runDir ?? await Deno.makeTempDir({ prefix: "weft-init-" });
    this.#publish();
    await this.#cleanStaleState();
    logger.info("Starting pod of {count} containers on {runtime}", {
      count: this.#slots.size,
      runtime: this.#options.runtime.name,
    });
    if (!this.#stopping) this.#status.pod.state = "running";
    for (const slot of this.#slots.values()) void this.#startWhenReady(slot);
    this.#publish();
    await this.#ended.promise;
    await this.#cleanStaleState();
    await this.#drainOutputs(1000);
    const exitCode = this.#exitCode();
    this.#status.pod.state = "ended";
    this.#status.pod.endedAt = new Date().toISOString();
    this.#status.pod.exitCode = exitCode;
    this.#publish();
    await this.#statusFile.flush();
    if (this.#options.runDir === undefined) {
      await Deno.remove(this.#runDir, { recursive: true }).catch(() => {});
    }
    logger.info("Pod ended with exit code {exitCode}", { exitCode });
    return { exitCode, status: this.status };
  }

  /**
   * Stops the pod: no more restarts; containers get their stop signal in
   * reverse dependency order, KILL (to all their processes) after their
   * grace period or when `pod.stopGrace` is over, and are deleted. Calling it
   * again while the stop runs changes nothing and returns the same promise.
   */
  stop(reason: string): Promise<void> {
    if (this.#stopping) {
      logger.info("Already stopping; {reason} changes nothing", { reason });
      return this.#stopping;
    }
    logger.info("Stopping the pod: {reason}", { reason });
    this.#status.pod.state = "stopping";
    this.#status.pod.stopReason = reason;
    this.#stopping = this.#stopAll();
    return this.#stopping;
  }

  /** Sends `signal` to the init of every running container (for SIGHUP, SIGUSR1...). */
  async forward(signal: string): Promise<void> {
    const running = [...this.#slots.values()].filter((slot) => slot.record.state === "running");
    await Promise.all(running.map(async (slot) => {
      logger.info("Forwarding {signal} to {container}", { signal, container: slot.config.id });
      try {
        await this.#options.runtime.kill(slot.config.id, signal, this.#call());
      } catch (error) {
        logger.warn("Cannot forward {signal} to {container}: {error}", {
          signal,
          container: slot.config.id,
          error: errorText(error),
        });
      }
    }));
  }

  #call(): { timeout: number } {
    return { timeout: this.#config.runtime.callTimeout };
  }

  #publish(): void {
    this.#statusFile.write(this.#status);
  }

  async #cleanStaleState(): Promise<void> {
    let names: string[];
    try {
      names = [];
      for await (const entry of Deno.readDir(this.#options.root)) names.push(entry.name);
    } catch {
      return;
    }
    const ours = names.filter((name) => this.#slots.has(name));
    const foreign = names.filter((name) => !this.#slots.has(name));
    if (foreign.length > 0) {
      logger.warn("State root {root} holds containers that are not in this pod: {ids}", {
        root: this.#options.root,
        ids: foreign,
      });
    }
    await Promise.all(ours.map(async (id) => {
      logger.info("Deleting leftover runtime state of {container}", { container: id });
      await this.#options.runtime.delete(id, { force: true, ...this.#call() }).catch((error) =>
        logger.error("Cannot delete leftover container {container}: {error}", {
          container: id,
          error: errorText(error),
        })
      );
    }));
  }

  async #startWhenReady(slot: Slot): Promise<void> {
    const { id, dependsOn } = slot.config;
    for (const dep of dependsOn) {
      const ran = await this.#slots.get(dep)!.ready.promise;
      if (this.#stopping) return;
      if (!ran) {
        this.#finish(
          slot,
          "failed",
          `Cannot start container "${id}": its dependency "${dep}" never ran`,
        );
        return;
      }
    }
    if (dependsOn.length > 0) {
      logger.info("Dependencies of {container} are running: starting it", {
        container: id,
        dependsOn,
      });
    }
    this.#launch(slot);
  }

  #launch(slot: Slot): void {
    slot.timer = undefined;
    slot.record.nextStartAt = null;
    slot.busy = this.#runOnce(slot).catch((error) => {
      logger.fatal("Supervising {container} failed: {error}", {
        container: slot.config.id,
        error,
      });
      this.#finish(slot, "failed", errorText(error));
    });
  }

  async #runOnce(slot: Slot): Promise<void> {
    const starting = Promise.withResolvers<void>();
    slot.starting = starting.promise;
    try {
      await this.#runPhases(slot, starting.resolve);
    } finally {
      starting.resolve();
    }
  }

  async #runPhases(slot: Slot, started: () => void): Promise<void> {
    const { id } = slot.config;
    const runtime = this.#options.runtime;
    const pidFile = `${this.#runDir}/${id}.pid`;
    await Deno.remove(pidFile).catch(() => {});
    slot.record.state = "creating";
    slot.record.error = null;
    this.#publish();
    let output: ContainerStdio | undefined;
    let pid: number;
    const createdAt = Date.now();
    try {
      output = await openContainerStdio(id, slot.config.stdio, this.#options.console);
      const bundle = slot.config.bundle ?? await this.#writeBundle(slot);
      await runtime.create(id, bundle, output.stdio, {
        pidFile,
        noPivot: this.#config.runtime.noPivot,
        ...this.#call(),
      });
      pid = Number((await Deno.readTextFile(pidFile)).trim());
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`Invalid pid file ${pidFile}`);
    } catch (error) {
      if (output) this.#track(output.done);
      await runtime.delete(id, { force: true, ...this.#call() }).catch(() => {});
      if (slot.config.spec !== undefined) await this.#removeBundle(slot);
      logger.error("Cannot create container {container}: {error}", {
        container: id,
        error: errorText(error),
      });
      this.#afterRun(slot, undefined, 0, errorText(error));
      return;
    }
    this.#track(output.done);
    const run: Run = {
      pid,
      startedAt: Date.now(),
      exit: this.#options.reaper.waitPid(pid, { after: createdAt }),
      exited: false,
    };
    run.exit.then(() => run.exited = true, () => {});
    slot.run = run;
    slot.record.pid = pid;
    if (this.#stopping) {
      // The stop began while this container was being created: never start it.
      await this.#killAndDelete(slot, run);
      this.#afterRun(slot, undefined, 0, undefined);
      return;
    }
    slot.record.startedAt = new Date(run.startedAt).toISOString();
    try {
      await runtime.start(id, this.#call());
    } catch (error) {
      logger.error("Cannot start container {container}: {error}", {
        container: id,
        error: errorText(error),
      });
      await this.#killAndDelete(slot, run);
      this.#afterRun(slot, undefined, 0, errorText(error));
      return;
    }
    slot.record.state = "running";
    started();
    logger.info("Container {container} is running with pid {pid}", {
      container: id,
      pid,
      restartCount: slot.record.restartCount,
    });
    this.#publish();
    if (!slot.everRan) {
      slot.everRan = true;
      slot.ready.resolve(true);
    }
    const exit = await run.exit;
    const ranFor = Date.now() - run.startedAt;
    const record = this.#recordExit(slot, exit, ranFor);
    await runtime.delete(id, { force: true, ...this.#call() }).catch((error) =>
      logger.error("Cannot delete container {container}: {error}", {
        container: id,
        error: errorText(error),
      })
    );
    if (slot.config.spec !== undefined) await this.#removeBundle(slot);
    slot.run = undefined;
    this.#afterRun(slot, record.status, ranFor, undefined);
  }

  /**
   * Writes the bundle of a container given by `rootfs` (@weft/bundle) under
   * the run directory, joining the namespaces of its `shareNamespacesWith`
   * container by that container's current pid. Errors name the field.
   */
  async #writeBundle(slot: Slot): Promise<string> {
    const { id, spec, shareNamespacesWith, shareNamespaces } = slot.config;
    const index = this.#config.containers.indexOf(slot.config);
    let pod: PodSpec | undefined;
    if (shareNamespacesWith !== undefined) {
      const pid = this.#slots.get(shareNamespacesWith)?.record.pid;
      if (!pid) {
        throw new Error(
          `Cannot join the namespaces of container "${shareNamespacesWith}": it is not running`,
        );
      }
      pod = { pid, share: shareNamespaces };
    }
    const bundle = await writeBundle(bundleDirFor(this.#runDir!, id), { ...spec, pod }, {
      id,
      path: `containers[${index}]`,
    });
    return bundle.dir;
  }

  /**
   * Removes the generated bundle of a container given by `rootfs`, once it is
   * deleted. Callers skip it for bundle containers, so that their timing is unchanged.
   */
  async #removeBundle(slot: Slot): Promise<void> {
    await removeBundle(bundleDirFor(this.#runDir!, slot.config.id)).catch((error) =>
      logger.error("Cannot remove the bundle of {container}: {error}", {
        container: slot.config.id,
        error: errorText(error),
      })
    );
  }

  /** Kills a container that must not run (stop during create, failed start) and deletes it. */
  async #killAndDelete(slot: Slot, run: Run): Promise<void> {
    const runtime = this.#options.runtime;
    await runtime.delete(slot.config.id, { force: true, ...this.#call() }).catch((error) =>
      logger.error("Cannot delete container {container}: {error}", {
        container: slot.config.id,
        error: errorText(error),
      })
    );
    if (slot.config.spec !== undefined) await this.#removeBundle(slot);
    const wait = delay(5000);
    await Promise.race([run.exit, wait.promise]);
    wait.cancel();
    slot.run = undefined;
    slot.record.pid = null;
  }

  #recordExit(slot: Slot, exit: ProcessExit, ranFor: number): ExitRecord {
    const record = exitRecord(exit, slot.record.restartCount, ranFor);
    slot.record.exits.push(record);
    if (slot.record.exits.length > MAX_EXIT_RECORDS) slot.record.exits.shift();
    slot.record.exitCount++;
    slot.record.lastStatus = exit.status;
    slot.record.pid = null;
    logger.info("Container {container} (pid {pid}) exited with status {status}", {
      container: slot.config.id,
      pid: exit.pid,
      status: exit.status,
      code: record.code,
      signal: record.signal,
      ranFor,
    });
    return record;
  }

  /** Decides what follows a run that ended (or never started); never called from the reaper. */
  #afterRun(
    slot: Slot,
    status: number | undefined,
    ranFor: number,
    error: string | undefined,
  ): void {
    const { id } = slot.config;
    if (error !== undefined) slot.record.error = error;
    if (this.#stopping) {
      this.#finish(
        slot,
        status === undefined && !slot.everRan && error !== undefined ? "failed" : "stopped",
      );
      return;
    }
    const decision = decideRestart(slot.config.restart, {
      status,
      ranFor,
      unstableStarts: slot.unstableStarts,
    });
    if (decision.action === "end") {
      logger.info("Container {container} ended with status {status}: not restarted ({reason})", {
        container: id,
        status,
        reason: decision.reason,
      });
      this.#finish(slot, "exited");
      return;
    }
    if (decision.action === "fail") {
      slot.unstableStarts = decision.unstableStarts;
      const why = decision.reason === "start-limit"
        ? `start limit reached: ${decision.unstableStarts} unstable starts in a row`
        : "it could not be started and its policy is never";
      logger.error("Container {container} failed: {why}", { container: id, why, status });
      if (slot.record.error === null || decision.reason === "start-limit") {
        slot.record.error = slot.record.error === null
          ? why
          : `${why}; last error: ${slot.record.error}`;
      }
      this.#finish(slot, "failed");
      return;
    }
    slot.unstableStarts = decision.unstableStarts;
    slot.record.state = "backoff";
    slot.record.nextStartAt = new Date(Date.now() + decision.delay).toISOString();
    logger.info("Restarting container {container} in {delay} ms", {
      container: id,
      status,
      delay: decision.delay,
      unstableStarts: decision.unstableStarts,
      restartCount: slot.record.restartCount + 1,
    });
    this.#publish();
    slot.timer = setTimeout(() => {
      if (this.#stopping) return;
      slot.record.restartCount++;
      this.#launch(slot);
    }, decision.delay);
  }

  #finish(slot: Slot, state: "exited" | "failed" | "stopped", error?: string): void {
    if (slot.final) return;
    slot.final = true;
    if (error !== undefined) {
      slot.record.error = error;
      logger.error("{error}", { container: slot.config.id, error });
    }
    slot.record.state = state;
    slot.record.pid = null;
    slot.record.nextStartAt = null;
    if (!slot.everRan) slot.ready.resolve(false);
    if (!this.#stopping && this.#firstFailure === undefined) {
      if (state === "failed") this.#firstFailure = slot.record.lastStatus ?? NEVER_RAN_STATUS;
      else if (state === "exited" && slot.record.lastStatus !== 0) {
        this.#firstFailure = slot.record.lastStatus!;
      }
    }
    this.#publish();
    this.#checkEnd(slot);
  }

  #checkEnd(last: Slot): void {
    const slots = [...this.#slots.values()];
    if (slots.every((slot) => slot.final)) {
      if (!this.#stopping) void this.stop("every container has ended");
      return;
    }
    if (this.#stopping) return;
    const { endWhen } = this.#config.pod;
    if (endWhen === "any-ended") void this.stop(`container "${last.config.id}" ended`);
    else if (typeof endWhen === "object" && endWhen.ended.includes(last.config.id)) {
      void this.stop(`container "${last.config.id}" ended`);
    }
  }

  async #stopAll(): Promise<void> {
    const slots = [...this.#slots.values()];
    for (const slot of slots) {
      if (slot.timer !== undefined) {
        clearTimeout(slot.timer);
        slot.timer = undefined;
        this.#finish(slot, "stopped");
      } else if (slot.record.state === "waiting") {
        this.#finish(slot, "stopped");
      }
    }
    const podDeadline = delay(this.#config.pod.stopGrace);
    podDeadline.promise.then(() => {
      const alive = slots.filter((slot) => slot.run && !slot.run.exited);
      if (alive.length === 0) return;
      logger.warn("Pod stop grace of {grace} ms is over: killing {ids}", {
        grace: this.#config.pod.stopGrace,
        ids: alive.map((slot) => slot.config.id),
      });
      for (const slot of alive) void this.#killAll(slot);
    });
    const stopped = new Map<string, Promise<void>>();
    const stopInOrder = (slot: Slot): Promise<void> => {
      let promise = stopped.get(slot.config.id);
      if (!promise) {
        const dependents = slots.filter((other) => other.config.dependsOn.includes(slot.config.id));
        promise = Promise.all(dependents.map(stopInOrder)).then(() => this.#stopOne(slot));
        stopped.set(slot.config.id, promise);
      }
      return promise;
    };
    await Promise.all(slots.map(stopInOrder));
    podDeadline.cancel();
    this.#ended.resolve();
  }

  async #stopOne(slot: Slot): Promise<void> {
    const { id, stop } = slot.config;
    // Let a create or start in progress finish: a create sees the stop and
    // undoes itself, a start leaves a running container to stop below.
    await slot.starting;
    const run = slot.run;
    if (run && !run.exited && slot.record.state === "running") {
      slot.record.state = "stopping";
      this.#publish();
      const signal = parseSignal(stop.signal).name;
      logger.info("Sending {signal} to container {container}, KILL in {grace} ms", {
        container: id,
        signal,
        grace: stop.grace,
        pid: run.pid,
      });
      try {
        await this.#options.runtime.kill(id, signal, this.#call());
      } catch (error) {
        if (
          !(error instanceof ContainerNotRunningError || error instanceof ContainerNotFoundError)
        ) {
          logger.warn("Cannot send {signal} to {container}: {error}", {
            signal,
            container: id,
            error: errorText(error),
          });
        }
      }
      const grace = delay(stop.grace);
      const first = await Promise.race([
        run.exit.then(() => "exited"),
        grace.promise.then(() => "grace"),
      ]);
      grace.cancel();
      if (first === "grace") {
        logger.warn(
          "Container {container} did not stop within {grace} ms: sending KILL to all its processes",
          {
            container: id,
            grace: stop.grace,
          },
        );
        await this.#killAll(slot);
      }
    }
    await slot.busy;
    if (!slot.final) this.#finish(slot, "stopped");
  }

  async #killAll(slot: Slot): Promise<void> {
    const runtime = this.#options.runtime;
    const id = slot.config.id;
    try {
      await runtime.kill(id, "KILL", { all: true, ...this.#call() });
    } catch (error) {
      if (
        !(error instanceof ContainerNotRunningError || error instanceof ContainerNotFoundError)
      ) {
        logger.warn("Cannot KILL all processes of {container} ({error}): killing its init", {
          container: id,
          error: errorText(error),
        });
      }
    }
    // `kill --all` finds the processes through the container's cgroup; without
    // one (crun --cgroup-manager=disabled) it succeeds and kills nothing. So
    // the init gets KILL by pid too, which ends a PID namespace whole. The pid
    // cannot have been reused: it stays a zombie until our reaper collects it,
    // and then the run has exited.
    const run = slot.run;
    if (run && !run.exited) {
      try {
        Deno.kill(run.pid, "SIGKILL");
      } catch (error) {
        logger.debug("Cannot KILL pid {pid} of {container}: {error}", {
          pid: run.pid,
          container: id,
          error: errorText(error),
        });
      }
    }
  }

  #track(output: Promise<void>): void {
    this.#outputs.add(output);
    output.finally(() => this.#outputs.delete(output));
  }

  async #drainOutputs(ms: number): Promise<void> {
    if (this.#outputs.size === 0) return;
    const wait = delay(ms);
    await Promise.race([Promise.all(this.#outputs), wait.promise]);
    wait.cancel();
  }

  #exitCode(): number {
    const rule = this.#config.pod.exitCode;
    if (rule.from === "container") {
      return this.#slots.get(rule.id)!.record.lastStatus ?? NEVER_RAN_STATUS;
    }
    return this.#firstFailure ?? 0;
  }
}
