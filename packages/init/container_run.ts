import { getLogger } from "@logtape/logtape";
import { bundleDirFor, type PodSpec, removeBundle, writeBundle } from "@weft/bundle";
import {
  ContainerExistsError,
  ContainerNotFoundError,
  ContainerNotRunningError,
  type Runtime,
} from "@weft/runtime";
import type { ContainerConfig } from "./config.ts";
import { type Clock, delay } from "./clock.ts";
import { openContainerStdio, type OpenContainerStdioOptions } from "./container_stdio.ts";
import type { ExitStatus } from "./exit_status.ts";
import type { ExitWatcher } from "./pod_status.ts";
import type { PodEvent } from "./pod_event.ts";
import type { ContainerUnit } from "./container_unit.ts";
import { mark } from "./_profile.ts";

const logger = getLogger(["weft", "init", "supervisor"]);

/**
 * What one run of a container needs from its pod.
 *
 * @example
 * ```ts ignore
 * import { type RunContext, systemClock } from "@weft/init";
 *
 * const context: RunContext = {
 *   runtime, reaper, clock: systemClock, runDir: () => "/run/weft/pod", path: "containers[0]",
 *   callTimeout: 30_000, noPivot: false, pidOf: () => null, trackOutput: () => {},
 *   killPid: (pid) => Deno.kill(pid, "SIGKILL"),
 * };
 * ```
 */
export interface RunContext {
  /** The runtime that runs the container. */
  runtime: Runtime;
  /** Where the exit of the container's init comes from. */
  reaper: ExitWatcher;
  /** Timers and the time; its `monotonic()` is on the timeline of the reaper's `reapedAt`. */
  clock: Clock;
  /** The pod's private directory, for pid files and generated bundles. */
  runDir(): string;
  /** The configuration path of the container (`containers[2]`), for errors about its fields. */
  path: string;
  /** The longest one runtime call may take (ms). */
  callTimeout: number;
  /** Create without pivot_root. */
  noPivot: boolean;
  /** Where console output goes. @default {Deno.stdout and Deno.stderr} */
  console?: OpenContainerStdioOptions;
  /** The pid of another container of the pod while it exists (for `shareNamespacesWith`), else null. */
  pidOf(id: string): number | null;
  /** Keeps a run's output drain, so that the pod can wait for it before it ends. */
  trackOutput(done: Promise<void>): void;
  /** Sends SIGKILL to a pid. */
  killPid(pid: number): void;
}

/**
 * What a container unit needs from its pod: what its runs need, and where its events and changes go.
 *
 * @example
 * ```ts ignore
 * import type { UnitContext } from "@weft/init";
 *
 * const context: UnitContext = { ...runContext, clock: systemClock, emit: console.log, changed: () => {} };
 * ```
 */
export interface UnitContext extends RunContext {
  /**
   * Waits for a free slot of the pod's bound on parallel starts and gives the
   * function that frees it; the unit holds it from `create` to the end of `start`.
   * @default {no bound}
   */
  startSlot?(): Promise<() => void>;
  /** Receives the unit's events, in order. */
  emit(event: PodEvent): void;
  /** Called after every change of the unit's state (its phase, or an exit recorded). */
  changed(unit: ContainerUnit): void;
}

/**
 * The text of an error, for logs and the status file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorText } from "@weft/init";
 *
 * assert.equal(errorText(new Error("no")), "no");
 * assert.equal(errorText("plain"), "plain");
 * ```
 */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One run of a container, from `create` to `delete`: its stdio, its bundle
 * (for containers given by `rootfs`), its pid and exit, the signals it gets.
 * It decides nothing: {@linkcode ContainerUnit} does.
 *
 * @example
 * ```ts ignore
 * import { ContainerRun } from "@weft/init";
 *
 * const run = new ContainerRun(config.containers[0], context);
 * if ((await run.create()) === undefined && (await run.start()) === undefined) {
 *   console.log((await run.exit).status);
 *   await run.deleteAfterExit();
 * }
 * ```
 */
export class ContainerRun {
  /** The pid of the container's init, once created. */
  pid = 0;
  /** When `create` ended, by the wall clock (`clock.now()`): for people. */
  startedAt = 0;
  /** When `create` ended, by the monotonic clock (`clock.monotonic()`): how long it ran is measured from it. */
  startedAtMonotonic = 0;
  /** Resolves with the init's exit, once created. */
  exit: Promise<ExitStatus> = new Promise(() => {});
  /** Whether the init has exited. */
  exited = false;
  readonly #config: ContainerConfig;
  readonly #ctx: RunContext;
  /** Whether `create` ran the container at once (the runtime's `run`). */
  #started = false;

  /** Prepares a run; nothing happens until {@linkcode ContainerRun.create}. */
  constructor(config: ContainerConfig, context: RunContext) {
    this.#config = config;
    this.#ctx = context;
  }

  get #call(): { timeout: number } {
    return { timeout: this.#ctx.callTimeout };
  }

  /**
   * Creates the container and learns its pid. On failure it leaves nothing
   * behind (no runtime state, no bundle) and resolves with the error.
   */
  async create(): Promise<{ error: string } | undefined> {
    const { id } = this.#config;
    let error = await this.#tryCreate();
    if (error instanceof ContainerExistsError) {
      // Left by an init that died. Its failed create deleted it: one more
      // try. This answer of the runtime is why no start asks it for leftovers.
      logger.warn("Container {container} was left in the runtime: deleted, creating it again", {
        container: id,
      });
      error = await this.#tryCreate();
    }
    if (error === undefined) return undefined;
    logger.error("Cannot create container {container}: {error}", {
      container: id,
      error: errorText(error),
    });
    return { error: errorText(error) };
  }

  /** One create; on failure it deletes what the runtime holds of the id, and gives the error. */
  async #tryCreate(): Promise<unknown> {
    const { id } = this.#config;
    const { runtime, clock } = this.#ctx;
    const pidFile = `${this.#ctx.runDir()}/${id}.pid`;
    removePidFile(pidFile);
    let output;
    // Monotonic, as the reaper's `reapedAt`: the wall clock may step back
    // (set by the host) before the exit.
    const createdAt = clock.monotonic();
    try {
      output = await openContainerStdio(id, this.#config.stdio, this.#ctx.console);
      mark("stdio", id);
      const bundle = this.#config.bundle ?? await this.#writeBundle();
      const options = { pidFile, noPivot: this.#ctx.noPivot, ...this.#call };
      // One runtime process instead of two where the runtime offers it. The
      // init may then exit before its pid is handed to the reaper below; the
      // reaper keeps such an exit for this claim (`after: createdAt`).
      if (runtime.run) {
        await runtime.run(id, bundle, output.stdio, options);
        this.#started = true;
      } else {
        await runtime.create(id, bundle, output.stdio, options);
      }
      mark("created", id);
      const pid = Number(Deno.readTextFileSync(pidFile).trim());
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`Invalid pid file ${pidFile}`);
      this.pid = pid;
    } catch (error) {
      if (output) this.#ctx.trackOutput(output.done);
      await runtime.delete(id, { force: true, ...this.#call }).catch(() => {});
      await this.#removeBundle();
      return error;
    }
    this.#ctx.trackOutput(output.done);
    this.startedAt = clock.now();
    this.startedAtMonotonic = clock.monotonic();
    this.exit = this.#ctx.reaper.waitPid(this.pid, { after: createdAt });
    this.exit.then(() => this.exited = true, () => {});
    mark("pid", id);
    return undefined;
  }

  /**
   * Starts the created container (nothing to do when the runtime's `run`
   * created and started it at once); on failure kills and deletes it and
   * resolves with the error.
   */
  async start(): Promise<string | undefined> {
    try {
      if (!this.#started) await this.#ctx.runtime.start(this.#config.id, this.#call);
    } catch (error) {
      logger.error("Cannot start container {container}: {error}", {
        container: this.#config.id,
        error: errorText(error),
      });
      await this.killAndDelete();
      return errorText(error);
    }
    mark("started", this.#config.id);
    return undefined;
  }

  /**
   * Stops the run: `signal` to the init, then, if it has not exited within
   * `grace` ms, KILL to all its processes. Resolves once KILL is sent or the init exited.
   */
  async stop(signal: string, grace: number): Promise<void> {
    const id = this.#config.id;
    logger.info("Sending {signal} to container {container}, KILL in {grace} ms", {
      container: id,
      signal,
      grace,
      pid: this.pid,
    });
    await this.signal(signal);
    const wait = delay(this.#ctx.clock, grace);
    const first = await Promise.race([
      this.exit.then(() => "exited"),
      wait.promise.then(() => "grace"),
    ]);
    wait.cancel();
    if (first === "grace") {
      logger.warn(
        "Container {container} did not stop within {grace} ms: sending KILL to all its processes",
        { container: id, grace },
      );
      await this.killAll();
    }
  }

  /** Sends `signal` to the init; a container that is already gone is no error. */
  async signal(signal: string): Promise<void> {
    try {
      await this.#ctx.runtime.kill(this.#config.id, signal, this.#call);
    } catch (error) {
      if (!isGone(error)) {
        logger.warn("Cannot send {signal} to {container}: {error}", {
          signal,
          container: this.#config.id,
          error: errorText(error),
        });
      }
    }
  }

  /** KILL to every process of the container, and to its init by pid. */
  async killAll(): Promise<void> {
    const id = this.#config.id;
    try {
      await this.#ctx.runtime.kill(id, "KILL", { all: true, ...this.#call });
    } catch (error) {
      if (!isGone(error)) {
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
    if (this.pid > 0 && !this.exited) {
      try {
        this.#ctx.killPid(this.pid);
      } catch (error) {
        logger.debug("Cannot KILL pid {pid} of {container}: {error}", {
          pid: this.pid,
          container: id,
          error: errorText(error),
        });
      }
    }
  }

  /** Deletes a container that must not run (stop during create, failed start) and waits a while for its exit. */
  async killAndDelete(): Promise<void> {
    await this.deleteAfterExit();
    const wait = delay(this.#ctx.clock, 5000);
    await Promise.race([this.exit, wait.promise]);
    wait.cancel();
  }

  /** Deletes the container and its generated bundle; failures are logged. */
  async deleteAfterExit(): Promise<void> {
    const id = this.#config.id;
    await this.#ctx.runtime.delete(id, { force: true, ...this.#call }).catch((error) =>
      logger.error("Cannot delete container {container}: {error}", {
        container: id,
        error: errorText(error),
      })
    );
    await this.#removeBundle();
  }

  /**
   * Writes the bundle of a container given by `rootfs` (@weft/bundle) under
   * the run directory, joining the namespaces of its `shareNamespacesWith`
   * container by that container's current pid. Errors name the field.
   */
  async #writeBundle(): Promise<string> {
    const { id, spec, shareNamespacesWith, shareNamespaces } = this.#config;
    let pod: PodSpec | undefined;
    if (shareNamespacesWith !== undefined) {
      const pid = this.#ctx.pidOf(shareNamespacesWith);
      if (!pid) {
        throw new Error(
          `Cannot join the namespaces of container "${shareNamespacesWith}": it is not running`,
        );
      }
      pod = { pid, share: shareNamespaces };
    }
    const bundle = await writeBundle(bundleDirFor(this.#ctx.runDir(), id), spec, {
      id,
      path: this.#ctx.path,
      pod,
    });
    return bundle.dir;
  }

  /** Removes the generated bundle of a container given by `rootfs`; bundle containers have none. */
  async #removeBundle(): Promise<void> {
    if (this.#config.spec === undefined) return;
    await removeBundle(bundleDirFor(this.#ctx.runDir(), this.#config.id)).catch((error) =>
      logger.error("Cannot remove the bundle of {container}: {error}", {
        container: this.#config.id,
        error: errorText(error),
      })
    );
  }
}

// The pid file is read and removed with sync calls on purpose: one local
// syscall each, on the path of every start, where the async forms wait for a
// worker thread and then for a turn of an event loop busy with 50 creates.
function removePidFile(file: string): void {
  try {
    Deno.removeSync(file);
  } catch {
    // Not there: the usual case.
  }
}

function isGone(error: unknown): boolean {
  return error instanceof ContainerNotRunningError || error instanceof ContainerNotFoundError;
}
