import { getLogger } from "@logtape/logtape";
import type { PodEvent } from "./pod_types.ts";
import { hasExec } from "@weft/runtime";
import { EXEC_FIELDS, execRequest, execStream } from "./_exec_call.ts";
import { ringStream } from "./_ndjson.ts";
import {
  ApiError,
  badRequest,
  boolParam,
  intParam,
  jsonBody,
  pathId,
  queryOf,
  signalField,
} from "./_request.ts";
import { LogStore } from "./log_store.ts";
import type { ControlTarget, EventFrame, Health, LogFrame } from "./protocol.ts";
import { SeqRing } from "./seq_ring.ts";
import {
  type ControlServerOptions,
  DEFAULT_JOURNAL_SIZE,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_STREAMS,
} from "./server_options.ts";

const logger = getLogger(["weft", "control"]);

type Route = (request: Request, url: URL, id: string) => Promise<Response> | Response;

/**
 * The control API of a pod: HTTP/1.1 + JSON on versioned paths, served by
 * {@linkcode ControlServer.handle} (give it to `Deno.serve`, see
 * `listenControl`). It subscribes to the target's events at once and keeps
 * the last `journal` of them, each numbered, so a client reads from its
 * cursor and loses nothing across reconnects. Nothing is reachable but the
 * documented calls; every body and id is checked before the target sees it.
 *
 * @example
 * ```ts ignore
 * import { ControlServer, listenControl } from "@weft/control";
 *
 * using server = new ControlServer(supervisor, { version: "0.1.0" });
 * const listener = await listenControl(server, { transport: "unix", path: "/run/weft/control.sock" });
 * ```
 */
export class ControlServer implements Disposable {
  readonly #target: ControlTarget;
  readonly #journal: SeqRing<PodEvent>;
  readonly #logs: LogStore;
  readonly #version: string;
  readonly #maxBody: number;
  readonly #maxStreams: number;
  // Monotonic: the host may set a VM's wall clock after the server started.
  readonly #started = performance.now();
  readonly #closing = new AbortController();
  readonly #subscription: Disposable;
  #streams = 0;

  /** Serves `target`, subscribing to its events now. */
  constructor(target: ControlTarget, options: ControlServerOptions = {}) {
    this.#target = target;
    this.#journal = new SeqRing(options.journal ?? DEFAULT_JOURNAL_SIZE);
    this.#logs = options.logs ?? new LogStore();
    this.#version = options.version ?? "unknown";
    this.#maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.#subscription = target.subscribe((event) => {
      this.#journal.push(event);
      if (event.type === "pod-ended") this.#journal.close();
    });
  }

  /** The log store the init feeds. */
  get logs(): LogStore {
    return this.#logs;
  }

  /** Streams open now. */
  get streams(): number {
    return this.#streams;
  }

  /** Answers one request; never throws. */
  handle = async (request: Request): Promise<Response> => {
    try {
      return await this.#route(request);
    } catch (error) {
      if (error instanceof ApiError) return error.response();
      logger.error("Control call {method} {url} failed: {error}", {
        method: request.method,
        url: request.url,
        error,
      });
      return new ApiError(500, "internal", (error as Error).message).response();
    }
  };

  /**
   * Ends every stream (followers read what is left) and stops listening to
   * the target. Only the first call does anything: each endpoint's shutdown
   * closes the server it serves, and a server may serve several.
   */
  close(): void {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    this.#journal.close();
    this.#logs.close();
    this.#subscription[Symbol.dispose]();
  }

  /** Same as {@linkcode ControlServer.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Each call: `health`, `status`... at /v1/NAME; `container`, `container/ACTION` under /v1/containers/ID. */
  readonly #routes = new Map<string, Map<string, Route>>([
    ["health", new Map([["GET", (_r, url) => this.#health(url)]])],
    ["status", new Map([["GET", (_r, url) => this.#status(url)]])],
    ["events", new Map([["GET", (_r, url) => this.#events(url)]])],
    ["stop", new Map([["POST", (request, url) => this.#stopPod(request, url)]])],
    ["container", new Map([["GET", (_r, url, id) => this.#container(url, id)]])],
    ["container/logs", new Map([["GET", (_r, url, id) => this.#logsCall(url, id)]])],
    ["container/signal", new Map([["POST", (r, url, id) => this.#signal(r, url, id)]])],
    ["container/stop", new Map([["POST", (r, url, id) => this.#lifecycle(r, url, id, "stop")]])],
    [
      "container/restart",
      new Map([["POST", (r, url, id) => this.#lifecycle(r, url, id, "restart")]]),
    ],
    ["container/exec", new Map([["POST", (r, url, id) => this.#exec(r, url, id)]])],
  ]);

  #route(request: Request): Promise<Response> | Response {
    const url = new URL(request.url);
    // ["", "v1", NAME] or ["", "v1", "containers", ID, ACTION?]
    const parts = url.pathname.split("/");
    const container = parts[2] === "containers" && parts[3] !== undefined && parts[3] !== "";
    const key = parts[1] !== "v1"
      ? undefined
      : container && parts.length === 4
      ? "container"
      : container && parts.length === 5
      ? `container/${parts[4]}`
      : parts.length === 3
      ? parts[2]
      : undefined;
    const methods = key === undefined ? undefined : this.#routes.get(key);
    if (!methods) {
      throw new ApiError(
        404,
        "not-found",
        `No such call: ${url.pathname} (see the API under /v1/)`,
      );
    }
    const route = methods.get(request.method);
    if (!route) {
      throw new ApiError(
        405,
        "method-not-allowed",
        `${url.pathname} takes ${[...methods.keys()].join(", ")}, not ${request.method}`,
      );
    }
    return route(request, url, container ? pathId(parts[3]) : "");
  }

  #status(url: URL): Response {
    queryOf(url, []);
    return Response.json(this.#target.status());
  }

  #health(url: URL): Response {
    queryOf(url, []);
    const health: Health = {
      alive: true,
      version: this.#version,
      uptime: Math.round(performance.now() - this.#started),
      runtime: this.#target.runtime.name,
      pid: Deno.pid,
      pod: this.#target.status().pod.state,
    };
    return Response.json(health);
  }

  /** The container's record, or a 404 naming the known ids. */
  #record(id: string): ReturnType<ControlTarget["status"]>["containers"][string] {
    const record = this.#target.status().containers[id];
    if (!record) {
      const known = Object.keys(this.#target.status().containers);
      throw new ApiError(
        404,
        "not-found",
        `No container "${id}" in this pod (it has: ${known.join(", ") || "none"})`,
      );
    }
    return record;
  }

  #container(url: URL, id: string): Response {
    queryOf(url, []);
    return Response.json({ id, ...this.#record(id) });
  }

  /** Refuses calls that change a container once the pod is stopping. */
  #whileRunning(what: string): void {
    const { state, stopReason } = this.#target.status().pod;
    if (state === "stopping" || state === "ended") {
      throw new ApiError(
        409,
        "conflict",
        `Cannot ${what}: the pod is ${state} (${stopReason ?? "no reason"})`,
      );
    }
  }

  async #signal(request: Request, url: URL, id: string): Promise<Response> {
    queryOf(url, []);
    const body = await jsonBody(request, this.#maxBody, ["signal"]);
    if (body.signal === undefined) {
      throw badRequest('body.signal: required (a name like "TERM" or a number)');
    }
    const signal = signalField(body.signal);
    this.#running(id, `signal container "${id}"`);
    await this.#call(() => this.#target.signalContainer(id, signal));
    return Response.json({ ok: true, signal });
  }

  /** Stop or restart of one container: no body field, the pod not stopping. */
  async #lifecycle(
    request: Request,
    url: URL,
    id: string,
    verb: "stop" | "restart",
  ): Promise<Response> {
    queryOf(url, []);
    await jsonBody(request, this.#maxBody, []);
    this.#record(id);
    this.#whileRunning(`${verb} container "${id}"`);
    await this.#call(() =>
      verb === "stop" ? this.#target.stopContainer(id) : this.#target.restartContainer(id)
    );
    return Response.json({ ok: true });
  }

  async #stopPod(request: Request, url: URL): Promise<Response> {
    queryOf(url, []);
    const body = await jsonBody(request, this.#maxBody, ["reason"]);
    if (
      body.reason !== undefined && (typeof body.reason !== "string" || body.reason.length > 200)
    ) {
      throw badRequest("body.reason: expected a string of at most 200 characters");
    }
    this.#whileRunning("stop the pod");
    const reason = `control API: ${(body.reason as string | undefined) ?? "stop requested"}`;
    void this.#target.stop(reason).catch((error) =>
      logger.error("Pod stop through the control API failed: {error}", { error })
    );
    return Response.json({ ok: true, reason }, { status: 202 });
  }

  /** The container must exist and run (and the pod not be stopping). */
  #running(id: string, what: string): void {
    const record = this.#record(id);
    this.#whileRunning(what);
    if (record.state !== "running") {
      throw new ApiError(409, "conflict", `Cannot ${what}: it is ${record.state}, not running`);
    }
  }

  /** A target refusal (a race with the container's own state change) is a 409. */
  async #call(call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      throw new ApiError(409, "conflict", (error as Error).message);
    }
  }

  #stream(): { signal: AbortSignal; onEnd: () => void } {
    if (this.#streams >= this.#maxStreams) {
      throw new ApiError(
        429,
        "too-many",
        `Too many streams open (${this.#maxStreams}): close one and retry`,
      );
    }
    this.#streams++;
    // ringStream and execStream each call onEnd exactly once.
    return { signal: this.#closing.signal, onEnd: () => void this.#streams-- };
  }

  #events(url: URL): Response {
    const query = queryOf(url, ["after", "follow"]);
    const after = intParam(query, "after", 0);
    const follow = boolParam(query, "follow");
    const body = ringStream(this.#journal, after, {
      ...this.#stream(),
      follow,
      frame: (seq, event): EventFrame => ({ seq, event }),
      gap: (from, to): EventFrame => ({ gap: { from, to } }),
    });
    return ndjson(body);
  }

  #logsCall(url: URL, id: string): Response {
    const query = queryOf(url, ["tail", "follow", "after"]);
    this.#record(id);
    const ring = this.#logs.ring(id);
    const follow = boolParam(query, "follow");
    const tail = intParam(query, "tail", this.#logs.lines, 1_000_000);
    if (query.has("after") && query.has("tail")) throw badRequest("Give tail or after, not both");
    const after = query.has("after") ? intParam(query, "after", 0) : Math.max(0, ring.last - tail);
    const body = ringStream(ring, after, {
      ...this.#stream(),
      follow,
      frame: (seq, line): LogFrame => ({ seq, ...line }),
      gap: (from, to): LogFrame => ({ gap: { from, to } }),
    });
    return ndjson(body);
  }

  async #exec(request: Request, url: URL, id: string): Promise<Response> {
    queryOf(url, []);
    const body = execRequest(await jsonBody(request, this.#maxBody, EXEC_FIELDS));
    this.#running(id, `exec in container "${id}"`);
    const runtime = this.#target.runtime;
    if (!hasExec(runtime)) {
      throw new ApiError(501, "not-supported", `The runtime ${runtime.name} cannot exec`);
    }
    const stream = this.#stream();
    logger.info("Exec in {id} through the control API: {args}", { id, args: body.args });
    return ndjson(execStream(runtime, id, body, stream));
  }
}

function ndjson(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" },
  });
}
