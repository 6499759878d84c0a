import type { ContainerStatusRecord, PodStatus } from "./pod_types.ts";
import { ControlError, ControlTimeoutError, ControlUnreachableError } from "./client_errors.ts";
import type { ControlTransport } from "./listen.ts";
import { boundedLines, readAtMost } from "./_bytes.ts";
import type {
  ErrorBody,
  EventFrame,
  ExecFrame,
  ExecRequest,
  Health,
  LogFrame,
} from "./protocol.ts";

/**
 * Options of {@linkcode ControlClient}.
 *
 * @example
 * ```ts
 * import type { ControlClientOptions } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const options: ControlClientOptions = { timeout: 5_000 };
 * assert.ok(options.timeout);
 * ```
 */
export interface ControlClientOptions {
  /** Milliseconds to wait for an answer (for streams: for the first byte). @default {30000} */
  timeout?: number;
  /**
   * The longest line of a stream (events, logs, exec) the client buffers; a
   * longer one ends the stream with a {@linkcode ControlError} of code
   * `frame-too-large`. weft-init's longest is about 6 MiB (a log line of the
   * largest `control.maxLineLength`, JSON-escaped).
   * @default {8388608}
   */
  maxFrameBytes?: number;
}

/** The largest error answer read (weft-init's are a few hundred bytes); the rest is cut. */
const MAX_ERROR_BYTES = 65_536;

/**
 * Options of {@linkcode ControlClient.events}.
 *
 * @example
 * ```ts
 * import type { EventsOptions } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const options: EventsOptions = { after: 41, follow: true };
 * assert.ok(options.after);
 * ```
 */
export interface EventsOptions {
  /** Only events after this cursor (the `seq` last seen). @default {0} */
  after?: number;
  /** Keep reading new events until the pod ends or `signal` aborts. @default {false} */
  follow?: boolean;
  /** Ends the stream. */
  signal?: AbortSignal;
}

/**
 * Options of {@linkcode ControlClient.logs}.
 *
 * @example
 * ```ts
 * import type { LogsOptions } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const options: LogsOptions = { tail: 20, follow: true };
 * assert.ok(options.tail);
 * ```
 */
export interface LogsOptions {
  /** The last N lines only. @default {all the ring holds} */
  tail?: number;
  /** Lines after this cursor instead of a tail. */
  after?: number;
  /** Keep reading new lines. @default {false} */
  follow?: boolean;
  /** Ends the stream. */
  signal?: AbortSignal;
}

/**
 * Options of {@linkcode ControlClient.exec}.
 *
 * @example
 * ```ts
 * import type { ExecCallOptions } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const options: ExecCallOptions = { env: ["X=1"], onOutput: (stream, text) => console.log(stream, text) };
 * assert.ok(options.env);
 * ```
 */
export interface ExecCallOptions extends Omit<ExecRequest, "args"> {
  /** Called with each piece of output as it arrives. */
  onOutput?: (stream: "stdout" | "stderr", text: string) => void;
  /** Kills the exec (the request is cancelled). */
  signal?: AbortSignal;
}

/**
 * What {@linkcode ControlClient.exec} resolves with.
 *
 * @example
 * ```ts
 * import type { ExecOutcome } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const outcome: ExecOutcome = { code: 3, stdout: "hi\n", stderr: "" };
 * assert.ok(outcome.code);
 * ```
 */
export interface ExecOutcome {
  /** The process's exit code. */
  code: number;
  /** Everything it wrote on stdout. */
  stdout: string;
  /** Everything it wrote on stderr. */
  stderr: string;
}

/**
 * The typed client of weft-init's control API, over a Unix socket, vsock or
 * TCP. Errors: {@linkcode ControlError} (the init refused the call),
 * {@linkcode ControlUnreachableError} (nothing listens),
 * {@linkcode ControlTimeoutError}.
 *
 * @example
 * ```ts ignore
 * import { ControlClient } from "@weft/control";
 *
 * using client = new ControlClient({ transport: "unix", path: "/run/weft/control.sock" });
 * console.log((await client.status()).pod.state);
 * const { code, stdout } = await client.exec("web", ["sh", "-c", "echo $X; exit 3"], { env: ["X=hi"] });
 * for await (const frame of client.events({ follow: true })) console.log(frame);
 * ```
 */
export class ControlClient implements Disposable {
  readonly #http: Deno.HttpClient;
  readonly #where: string;
  readonly #timeout: number;
  readonly #maxFrameBytes: number;

  /** A client of the endpoint at `address`. */
  constructor(address: ControlTransport, options: ControlClientOptions = {}) {
    this.#http = Deno.createHttpClient({
      proxy: address.transport === "tcp"
        ? { transport: "tcp", hostname: address.hostname, port: address.port }
        : address.transport === "unix"
        ? { transport: "unix", path: address.path }
        : { transport: "vsock", cid: address.cid ?? 2, port: address.port },
    });
    this.#where = address.transport === "unix"
      ? `unix:${address.path}`
      : address.transport === "vsock"
      ? `vsock:${address.cid ?? 2}:${address.port}`
      : `tcp:${address.hostname}:${address.port}`;
    this.#timeout = options.timeout ?? 30_000;
    this.#maxFrameBytes = options.maxFrameBytes ?? 8 * 1024 * 1024;
    if (!Number.isSafeInteger(this.#maxFrameBytes) || this.#maxFrameBytes < 1) {
      throw new RangeError(
        `Invalid maxFrameBytes ${this.#maxFrameBytes}: expected a positive integer`,
      );
    }
  }

  /** Liveness, version, uptime and runtime. */
  async health(): Promise<Health> {
    return await this.#json("GET /v1/health", await this.#call("GET", "/v1/health"));
  }

  /** The pod's status: the same data as the status file. */
  async status(): Promise<PodStatus> {
    return await this.#json("GET /v1/status", await this.#call("GET", "/v1/status"));
  }

  /** One container's status and exit history. */
  async container(id: string): Promise<ContainerStatusRecord & { id: string }> {
    const path = `/v1/containers/${encodeURIComponent(id)}`;
    return await this.#json(`GET ${path}`, await this.#call("GET", path));
  }

  /** Sends `signal` to container `id`'s init. */
  async signal(id: string, signal: string | number): Promise<void> {
    await finish(
      await this.#call("POST", `/v1/containers/${encodeURIComponent(id)}/signal`, { signal }),
    );
  }

  /** Stops container `id` for good; resolves once it has stopped. */
  async stopContainer(id: string): Promise<void> {
    await finish(await this.#call("POST", `/v1/containers/${encodeURIComponent(id)}/stop`, {}));
  }

  /** Restarts container `id` now; resolves once it runs again. */
  async restart(id: string): Promise<void> {
    await finish(await this.#call("POST", `/v1/containers/${encodeURIComponent(id)}/restart`, {}));
  }

  /** Asks the pod to stop; resolves once the stop has begun (follow events for `pod-ended`). */
  async stopPod(reason?: string): Promise<void> {
    await finish(await this.#call("POST", "/v1/stop", reason === undefined ? {} : { reason }));
  }

  /** The events after a cursor, and with `follow` the new ones as they come. */
  events(options: EventsOptions = {}): AsyncGenerator<EventFrame> {
    const query = new URLSearchParams({ after: String(options.after ?? 0) });
    if (options.follow) query.set("follow", "true");
    return this.#frames<EventFrame>(`/v1/events?${query}`, options.signal);
  }

  /** Container `id`'s last lines, and with `follow` the new ones as they come. */
  logs(id: string, options: LogsOptions = {}): AsyncGenerator<LogFrame> {
    const query = new URLSearchParams();
    if (options.tail !== undefined) query.set("tail", String(options.tail));
    if (options.after !== undefined) query.set("after", String(options.after));
    if (options.follow) query.set("follow", "true");
    return this.#frames<LogFrame>(
      `/v1/containers/${encodeURIComponent(id)}/logs?${query}`,
      options.signal,
    );
  }

  /**
   * Runs `args` in running container `id` and resolves with its exit code
   * and output. A timeout or a failure to run becomes a {@linkcode ControlError}.
   */
  async exec(id: string, args: string[], options: ExecCallOptions = {}): Promise<ExecOutcome> {
    const { onOutput, signal, ...rest } = options;
    const path = `/v1/containers/${encodeURIComponent(id)}/exec`;
    const { response, end } = await this.#open("POST", path, { args, ...rest }, signal);
    const outcome: ExecOutcome = { code: -1, stdout: "", stderr: "" };
    try {
      for await (const frame of this.#lines<ExecFrame>(`POST ${path}`, response)) {
        if (typeof frame !== "object" || frame === null) throw this.#notExecFrame(path, frame);
        if ("stdout" in frame) {
          outcome.stdout += frame.stdout;
          onOutput?.("stdout", frame.stdout);
        } else if ("stderr" in frame) {
          outcome.stderr += frame.stderr;
          onOutput?.("stderr", frame.stderr);
        } else if ("exit" in frame) {
          outcome.code = frame.exit;
          return outcome;
        } else if ("error" in frame && typeof frame.error?.message === "string") {
          throw new ControlError(frame.error.message, { status: 0, code: frame.error.code });
        } else {
          throw this.#notExecFrame(path, frame);
        }
      }
    } finally {
      end();
    }
    throw new ControlUnreachableError(
      `The exec stream from ${this.#where} ended without an exit code`,
    );
  }

  /** A line of an exec stream that is JSON but no exec frame (`null`, `5`, `{}`). */
  #notExecFrame(path: string, frame: unknown): ControlError {
    return new ControlError(
      `POST ${path}: a line of the exec stream from ${this.#where} is not an exec frame ` +
        `(${JSON.stringify(frame).slice(0, 80)}): not a weft-init control API, or a broken one`,
      { status: 0, code: "not-json" },
    );
  }

  /** Closes the connection pool. */
  close(): void {
    this.#http.close();
  }

  /** Same as {@linkcode ControlClient.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  async *#frames<T>(path: string, signal?: AbortSignal): AsyncGenerator<T> {
    const { response, end } = await this.#open("GET", path, undefined, signal);
    try {
      yield* this.#lines<T>(`GET ${path}`, response);
    } finally {
      end();
    }
  }

  async *#lines<T>(call: string, response: Response): AsyncGenerator<T> {
    const tooLong = (): Error =>
      new ControlError(
        `A stream from ${this.#where} sent a line longer than ${this.#maxFrameBytes} bytes ` +
          `(maxFrameBytes): not a weft-init control API, or a broken one`,
        { status: response.status, code: "frame-too-large" },
      );
    for await (const line of boundedLines(response.body!, this.#maxFrameBytes, tooLong)) {
      if (line !== "") yield this.#parse<T>(call, response.status, "a line of its stream", line);
    }
  }

  /** The answer's body, parsed as JSON; read up to `maxFrameBytes`, as a line of a stream is. */
  async #json<T>(call: string, response: Response): Promise<T> {
    const bytes = await readAtMost(response.body, this.#maxFrameBytes);
    if (bytes === undefined) {
      throw new ControlError(
        `${call}: the answer from ${this.#where} is longer than ${this.#maxFrameBytes} bytes ` +
          `(maxFrameBytes): not a weft-init control API, or a broken one`,
        { status: response.status, code: "frame-too-large" },
      );
    }
    return this.#parse<T>(call, response.status, "the answer", new TextDecoder().decode(bytes));
  }

  /** `text` parsed as JSON, else a {@linkcode ControlError} naming the call (not a bare SyntaxError). */
  #parse<T>(call: string, status: number, what: string, text: string): T {
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      const start = JSON.stringify(text.slice(0, 80));
      throw new ControlError(
        `${call}: ${what} from ${this.#where} was not JSON (it began ${start}): ` +
          `not a weft-init control API, or a broken one`,
        { status, code: "not-json", cause: error },
      );
    }
  }

  async #call(method: string, path: string, body?: unknown): Promise<Response> {
    return (await this.#open(method, path, body)).response;
  }

  /**
   * Sends a call and gives its answer once its head says it succeeded, with
   * `end`, which the caller calls once it is done with the answer's body: it
   * removes the listener the call added to the caller's `signal` (a
   * long-lived signal used for many calls would otherwise collect one per call).
   */
  async #open(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<{ response: Response; end: () => void }> {
    const controller = new AbortController();
    // An abort event never fires for a signal aborted already: check it first.
    if (signal?.aborted) controller.abort(signal.reason);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const end = (): void => signal?.removeEventListener("abort", onAbort);
    try {
      return { response: await this.#send(method, path, body, controller, signal), end };
    } catch (error) {
      end();
      throw error;
    }
  }

  async #send(
    method: string,
    path: string,
    body: unknown,
    controller: AbortController,
    signal?: AbortSignal,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(this.#timeout);
    const onTimeout = (): void => controller.abort(timeout.reason);
    timeout.addEventListener("abort", onTimeout);
    let response: Response;
    try {
      response = await fetch(`http://weft${path}`, {
        method,
        client: this.#http,
        signal: controller.signal,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
      });
    } catch (error) {
      if (timeout.aborted) {
        throw new ControlTimeoutError(`No answer from ${this.#where} within ${this.#timeout} ms`, {
          cause: error,
        });
      }
      if (signal?.aborted) throw error;
      throw new ControlUnreachableError(
        `Cannot reach the weft-init control API at ${this.#where}: ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      // The timeout bounds the wait for the answer's head; a stream then runs as long as it runs.
      timeout.removeEventListener("abort", onTimeout);
    }
    if (response.ok) return response;
    const bytes = await readAtMost(response.body, MAX_ERROR_BYTES);
    const text = bytes === undefined
      ? `(an error answer of more than ${MAX_ERROR_BYTES} bytes, not read)`
      : new TextDecoder().decode(bytes);
    let error: ErrorBody["error"] = { code: "http", message: text || response.statusText };
    try {
      error = (JSON.parse(text) as ErrorBody).error ?? error;
    } catch {
      // Not our JSON (something else answers there): keep the raw text.
    }
    throw new ControlError(`${method} ${path} refused (${response.status}): ${error.message}`, {
      status: response.status,
      code: error.code,
    });
  }
}

/**
 * Reads a call's short answer to its end (bounded), rather than cancelling
 * it: a cancel racing the server's close of the connection (the pod's stop
 * ends the init) left a rejection nobody handled. The call has succeeded
 * once its head said so, so a body cut short is no error.
 */
async function finish(response: Response): Promise<void> {
  await readAtMost(response.body, MAX_ERROR_BYTES).catch(() => {});
}
