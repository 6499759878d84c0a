import type { PodEvent, PodStatus } from "./pod_types.ts";
import type { Runtime } from "@weft/runtime";
import type { LogLine } from "./log_store.ts";

/**
 * The supervisor as the control server drives it. `Supervisor` of
 * `@weft/init` has exactly these members; tests give a fake.
 *
 * @example
 * ```ts ignore
 * import { ControlServer, type ControlTarget } from "@weft/control";
 * import { Supervisor } from "./pod_types.ts";
 *
 * const target: ControlTarget = new Supervisor(config, { runtime, reaper, root });
 * const server = new ControlServer(target, { version: "0.1.0" });
 * ```
 */
export interface ControlTarget {
  /** The runtime that runs the containers (`exec` uses it). */
  readonly runtime: Runtime;
  /** A snapshot of the pod, the same data as the status file. */
  status(): PodStatus;
  /** Calls `listener` synchronously, in order, for every event from now on. */
  subscribe(listener: (event: PodEvent) => void): Disposable;
  /** Sends `signal` to the init of running container `id`. */
  signalContainer(id: string, signal: string | number): Promise<void>;
  /** Stops container `id` for good (stop signal, grace, KILL); the pod keeps running. */
  stopContainer(id: string): Promise<void>;
  /** Stops container `id` and starts it again now, with its backoff reset. */
  restartContainer(id: string): Promise<void>;
  /** Stops the whole pod. */
  stop(reason: string): Promise<void>;
}

/**
 * What `GET /v1/health` answers.
 *
 * @example
 * ```ts
 * import type { Health } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const health: Health = { alive: true, version: "0.1.0", uptime: 1200, runtime: "crun", pid: 1, pod: "running" };
 * assert.ok(health.runtime);
 * ```
 */
export interface Health {
  /** Always true: the init answered. */
  alive: true;
  /** weft-init's version. */
  version: string;
  /** Milliseconds since the control server started. */
  uptime: number;
  /** The runtime's name. */
  runtime: string;
  /** The init's pid (1 as PID 1). */
  pid: number;
  /** The pod's state. */
  pod: PodStatus["pod"]["state"];
}

/**
 * One line of `GET /v1/events`: an event with its cursor, or a gap (events
 * `from`..`to` were dropped from the bounded journal before this client read
 * them).
 *
 * @example
 * ```ts
 * import type { EventFrame } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const frame: EventFrame = { seq: 7, event: { type: "pod-stopping", at: Date.now(), reason: "api" } };
 * assert.ok("seq" in frame ? frame.seq : "gap");
 * ```
 */
export type EventFrame =
  | { seq: number; event: PodEvent }
  | { gap: { from: number; to: number } };

/**
 * One line of `GET /v1/containers/{id}/logs`: a log line with its cursor, or
 * a gap (lines `from`..`to` were overwritten in the ring before this client
 * read them).
 *
 * @example
 * ```ts
 * import type { LogFrame } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const frame: LogFrame = { seq: 3, at: Date.now(), stream: "stderr", line: "warning" };
 * assert.ok("line" in frame ? frame.line : "gap");
 * ```
 */
export type LogFrame =
  | ({ seq: number } & LogLine)
  | { gap: { from: number; to: number } };

/**
 * One line of the `POST /v1/containers/{id}/exec` answer: output as it
 * comes (text; invalid UTF-8 shown as U+FFFD), then exactly one `exit` or
 * `error` frame.
 *
 * @example
 * ```ts
 * import type { ExecFrame } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const frames: ExecFrame[] = [{ stdout: "hello\n" }, { exit: 3 }];
 * assert.ok(frames.length);
 * ```
 */
export type ExecFrame =
  | { stdout: string }
  | { stderr: string }
  | { exit: number }
  | { error: ErrorBody["error"] };

/**
 * The body of every error answer (4xx, 5xx), and of an `error` exec frame.
 *
 * @example
 * ```ts
 * import type { ErrorBody } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const body: ErrorBody = { error: { code: "bad-request", message: 'body.signal: unknown signal "FOO"' } };
 * assert.ok(body.error.message);
 * ```
 */
export interface ErrorBody {
  /** What went wrong. */
  error: {
    /** A stable word: `bad-request`, `not-found`, `conflict`, `too-large`, `too-many`... */
    code: string;
    /** A sentence for humans, naming the field or argument. */
    message: string;
  };
}

/**
 * The body of `POST /v1/containers/{id}/exec`.
 *
 * @example
 * ```ts
 * import type { ExecRequest } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const request: ExecRequest = { args: ["sh", "-c", "echo $X; exit 3"], env: ["X=hi"], timeout: 5000 };
 * assert.ok(request.args[0]);
 * ```
 */
export interface ExecRequest {
  /** The command and its arguments, run inside the container (never a shell string). */
  args: string[];
  /** Environment entries (`NAME=value`) added to the container's. */
  env?: string[];
  /** Working directory inside the container (absolute). */
  cwd?: string;
  /** Text given to the process on its stdin (else /dev/null). */
  stdin?: string;
  /** Milliseconds after which the process is killed and an `error` frame sent. @default {60000} */
  timeout?: number;
}
