import type { Stdio } from "./stdio.ts";

/**
 * The status of a container as a runtime reports it. The empty string means
 * the runtime does not know the id (it never existed or was deleted).
 *
 * @example
 * ```ts no-assert
 * import type { ContainerStatus } from "@weft/runtime";
 *
 * const status: ContainerStatus = "running";
 * ```
 */
export type ContainerStatus =
  | ""
  | "creating"
  | "created"
  | "running"
  | "paused"
  | "stopped";

/**
 * Every status a runtime reports for a container it knows, in lifecycle order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTAINER_STATUSES } from "@weft/runtime";
 *
 * assert.ok(CONTAINER_STATUSES.includes("paused"));
 * assert.ok(!CONTAINER_STATUSES.includes(""));
 * ```
 */
export const CONTAINER_STATUSES: readonly ContainerStatus[] = [
  "creating",
  "created",
  "running",
  "paused",
  "stopped",
];

/**
 * Whether `value` is one of {@linkcode CONTAINER_STATUSES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isContainerStatus } from "@weft/runtime";
 *
 * assert.equal(isContainerStatus("running"), true);
 * assert.equal(isContainerStatus("Running"), false);
 * ```
 */
export function isContainerStatus(value: unknown): value is ContainerStatus {
  return CONTAINER_STATUSES.includes(value as ContainerStatus);
}

/**
 * The pid a runtime reported, kept only while the process exists (the
 * status is `created`, `running` or `paused`), else 0: youki, for one, keeps
 * a stopped container's old pid, which the kernel may have given to another process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { livePid } from "@weft/runtime";
 *
 * assert.equal(livePid("running", 42), 42);
 * assert.equal(livePid("stopped", 42), 0);
 * ```
 */
export function livePid(status: ContainerStatus, pid: number): number {
  return status === "created" || status === "running" || status === "paused" ? pid : 0;
}

/**
 * What {@linkcode Runtime.state} reports about one container.
 *
 * @example
 * ```ts no-assert
 * import type { ContainerState } from "@weft/runtime";
 *
 * const state: ContainerState = { status: "running", pid: 4242 };
 * ```
 */
export interface ContainerState {
  /** Lifecycle status; `""` when the runtime does not know the id. */
  status: ContainerStatus;
  /**
   * Pid of the container's init process in the caller's PID namespace.
   * Meaningful only while the status is `created`, `running` or `paused`; 0
   * otherwise.
   */
  pid: number;
  /** Absolute path of the bundle, when the runtime reports it. */
  bundle?: string;
  /** The runtime's full parsed answer, for fields this interface does not name. */
  raw?: Record<string, unknown>;
}

/**
 * Options every runtime call accepts.
 *
 * @example
 * ```ts no-assert
 * import type { CallOptions } from "@weft/runtime";
 *
 * const options: CallOptions = { timeout: 5_000, signal: new AbortController().signal };
 * ```
 */
export interface CallOptions {
  /** Cancels the call: the runtime process is stopped and the call rejects. */
  signal?: AbortSignal;
  /**
   * Milliseconds after which the runtime process is stopped and the call
   * rejects with a timeout error.
   * @default {30000}
   */
  timeout?: number;
}

/**
 * Options of {@linkcode Runtime.create}.
 *
 * @example
 * ```ts no-assert
 * import type { CreateOptions } from "@weft/runtime";
 *
 * const options: CreateOptions = { pidFile: "/run/weft/web.pid", noPivot: true };
 * ```
 */
export interface CreateOptions extends CallOptions {
  /** Absolute path where the runtime writes the container's init pid. */
  pidFile?: string;
  /**
   * Do not use pivot_root (needed when the root filesystem is an initramfs,
   * which refuses pivot_root). Weaker isolation: use only there.
   * @default {false}
   */
  noPivot?: boolean;
  /** Do not create a new session keyring for the container. @default {false} */
  noNewKeyring?: boolean;
  /** Number of extra file descriptors (from fd 3) passed to the container. @default {0} */
  preserveFds?: number;
}

/**
 * Options of {@linkcode Runtime.kill}.
 *
 * @example
 * ```ts no-assert
 * import type { KillOptions } from "@weft/runtime";
 *
 * const options: KillOptions = { all: true };
 * ```
 */
export interface KillOptions extends CallOptions {
  /** Send the signal to every process of the container, not just its init. @default {false} */
  all?: boolean;
}

/**
 * Options of {@linkcode Runtime.delete}.
 *
 * @example
 * ```ts no-assert
 * import type { DeleteOptions } from "@weft/runtime";
 *
 * const options: DeleteOptions = { force: true, timeout: 10_000 };
 * ```
 */
export interface DeleteOptions extends CallOptions {
  /** Kill the container first if it is still running. @default {false} */
  force?: boolean;
}

/**
 * One OCI runtime (crun, runc, youki, or a plugin of yours) driven through the
 * lifecycle of the OCI runtime specification.
 *
 * Every call validates its arguments before anything reaches a command line
 * and rejects with the typed errors of this package (see `errors.ts`).
 *
 * @example Drive a container through its whole life
 * ```ts ignore
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/runc";
 *
 * const runtime = await selectRuntime("runc");
 * await runtime.create("web", "/srv/bundles/web");
 * await runtime.start("web");
 * const { pid } = await runtime.state("web");
 * await runtime.kill("web", "TERM");
 * // ... wait for `pid` to exit (the caller reaps it) ...
 * await runtime.delete("web");
 * ```
 */
export interface Runtime {
  /** The runtime's name, as registered (for example `"crun"`). */
  readonly name: string;
  /**
   * Creates the container `id` from the bundle at `bundleDir` (a directory
   * holding `config.json`). Resolves once the container exists in state
   * `created`: its init process is alive but the entrypoint has not run.
   *
   * The container's fd 0/1/2 are wired to `stdio`; a missing field means
   * /dev/null. Its output keeps flowing into the streams after this call
   * resolves, until the container exits, and the streams are closed then.
   * On failure nothing is left behind: no runtime state, no process.
   */
  create(
    id: string,
    bundleDir: string,
    stdio?: Stdio,
    options?: CreateOptions,
  ): Promise<void>;
  /**
   * Starts the created container `id`. Resolves once its entrypoint has been
   * exec'd; the caller supervises it by pid from then on.
   */
  start(id: string, options?: CallOptions): Promise<void>;
  /**
   * Optional: {@linkcode Runtime.create} and {@linkcode Runtime.start} in one
   * call (`run --detach` of the OCI runtimes' CLIs), which saves a runtime
   * process per container. Resolves once the entrypoint has been exec'd;
   * stdio and options are as for `create`, and so is the failure contract
   * (nothing left behind, an existing id rejects with `ContainerExistsError`).
   *
   * Unlike `create`, the container may already have exited when this
   * resolves: a caller that reaps it must keep exits it has not yet
   * asked for (weft-init's reaper does). Callers use it when present and
   * fall back to `create` then `start`.
   */
  run?(id: string, bundleDir: string, stdio?: Stdio, options?: CreateOptions): Promise<void>;
  /**
   * Reports the state of container `id`. An id the runtime does not know
   * gives `{ status: "", pid: 0 }`, not an error.
   */
  state(id: string, options?: CallOptions): Promise<ContainerState>;
  /**
   * Sends `signal` (`"TERM"`, `"SIGTERM"`, `15`, `"RTMIN+3"`...) to the
   * container's init, or to all its processes with `options.all`. An unknown
   * signal is refused before the runtime runs, never turned into signal 0.
   */
  kill(id: string, signal: string | number, options?: KillOptions): Promise<void>;
  /**
   * Deletes container `id` and its runtime state. Must be called once the
   * container has stopped, or the runtime leaks its state; `options.force`
   * kills a running container first.
   */
  delete(id: string, options?: DeleteOptions): Promise<void>;
}
