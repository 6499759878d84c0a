import { getLogger } from "@logtape/logtape";
import type { ExecCapability, Runtime } from "@weft/runtime";
import { ndjsonLine } from "./_ndjson.ts";
import { badRequest } from "./_request.ts";
import type { ExecFrame, ExecRequest } from "./protocol.ts";

/** The exec fields a body may hold. */
export const EXEC_FIELDS: readonly string[] = ["args", "env", "cwd", "stdin", "timeout"];
/** An exec's timeout when the request names none. */
export const DEFAULT_EXEC_TIMEOUT = 60_000;
/** The longest timeout a request may ask for (one day). */
const MAX_EXEC_TIMEOUT = 86_400_000;
/** How long output may keep draining after the process exited (its children may hold the pipes). */
const DRAIN_MS = 1_000;
/**
 * How long the client has, once the process has ended, to take the rest of
 * the output and the exit frame before its stream is cut (and its slot of
 * `maxStreams` freed).
 */
const FINISH_MS = 10_000;

const logger = getLogger(["weft", "control"]);

/** The client of an exec that has ended did not read the rest of its output in time. */
export class ExecStalledError extends Error {
  /** An error saying `message`. */
  constructor(message: string) {
    super(message);
    this.name = "ExecStalledError";
  }
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Checks an exec body field by field; a 400 names the first wrong one. */
export function execRequest(body: Record<string, unknown>): ExecRequest {
  const { args, env, cwd, stdin, timeout } = body;
  if (!isStrings(args) || args.length === 0 || args[0] === "") {
    throw badRequest(
      'body.args: expected a non-empty array of strings (the command and its arguments, e.g. ["sh", "-c", "echo hi"])',
    );
  }
  if (args.some((arg) => arg.includes("\0"))) {
    throw badRequest("body.args: NUL byte in an argument");
  }
  if (env !== undefined && (!isStrings(env) || env.some((e) => !/^[^=\0]+=[^\0]*$/.test(e)))) {
    throw badRequest('body.env: expected an array of "NAME=value" strings');
  }
  if (
    cwd !== undefined && (typeof cwd !== "string" || !cwd.startsWith("/") || cwd.includes("\0"))
  ) {
    throw badRequest("body.cwd: expected an absolute path inside the container");
  }
  if (stdin !== undefined && typeof stdin !== "string") {
    throw badRequest("body.stdin: expected a string");
  }
  if (
    timeout !== undefined &&
    (typeof timeout !== "number" || !Number.isInteger(timeout) || timeout < 1 ||
      timeout > MAX_EXEC_TIMEOUT)
  ) {
    throw badRequest(`body.timeout: expected milliseconds, an integer 1 to ${MAX_EXEC_TIMEOUT}`);
  }
  return {
    args,
    ...(env === undefined ? {} : { env }),
    ...(cwd === undefined ? {} : { cwd: cwd as string }),
    ...(stdin === undefined ? {} : { stdin: stdin as string }),
    timeout: (timeout as number | undefined) ?? DEFAULT_EXEC_TIMEOUT,
  };
}

/**
 * Runs `request` in container `id` and streams its output as NDJSON
 * {@linkcode ExecFrame}s, ending with its exit code or an error. A slow
 * client slows the process (the pipes fill), never the init: while it runs,
 * the request's timeout bounds that. Once it has ended, a client that does
 * not take the rest within `finishTimeout` ms (default {@linkcode FINISH_MS})
 * has its stream cut with an {@linkcode ExecStalledError}, so that a client
 * that stopped reading cannot hold a stream slot forever. `signal` (the
 * client gone, the server closing) kills the exec.
 */
export function execStream(
  runtime: Runtime & ExecCapability,
  id: string,
  request: ExecRequest,
  options: { signal: AbortSignal; onEnd: () => void; finishTimeout?: number },
): ReadableStream<Uint8Array> {
  const finishTimeout = options.finishTimeout ?? FINISH_MS;
  const pipe = new TransformStream<Uint8Array, Uint8Array>(
    {},
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.length },
  );
  const writer = pipe.writable.getWriter();
  const send = async (frame: ExecFrame): Promise<void> => {
    await writer.ready;
    await writer.write(ndjsonLine(frame));
  };
  const output = (
    name: "stdout" | "stderr",
  ): { stream: WritableStream<Uint8Array>; done: Promise<void> } => {
    const decoder = new TextDecoder();
    const done = Promise.withResolvers<void>();
    const stream = new WritableStream<Uint8Array>({
      write: async (chunk): Promise<void> => {
        const text = decoder.decode(chunk, { stream: true });
        if (text !== "") await send(name === "stdout" ? { stdout: text } : { stderr: text });
      },
      close: async (): Promise<void> => {
        const text = decoder.decode();
        if (text !== "") await send(name === "stdout" ? { stdout: text } : { stderr: text });
        done.resolve();
      },
      abort: () => done.resolve(),
    });
    return { stream, done: done.promise };
  };
  const stdout = output("stdout");
  const stderr = output("stderr");
  // The client going away cancels the body: that kills the exec.
  const gone = new AbortController();
  const signal = AbortSignal.any([options.signal, gone.signal]);
  const stdin = request.stdin === undefined ? undefined : new Blob([request.stdin]).stream();
  const run = async (): Promise<void> => {
    let last: ExecFrame;
    try {
      const { code } = await runtime.exec(id, request.args, {
        stdio: { stdout: stdout.stream, stderr: stderr.stream, ...(stdin ? { stdin } : {}) },
        ...(request.env ? { env: request.env } : {}),
        ...(request.cwd ? { cwd: request.cwd } : {}),
        timeout: request.timeout,
        signal,
      });
      last = { exit: code };
    } catch (error) {
      const name = (error as Error).name;
      const code = name === "RuntimeTimeoutError"
        ? "timeout"
        : name === "ContainerNotFoundError" || name === "ContainerNotRunningError"
        ? "conflict"
        : "exec-failed";
      last = { error: { code, message: (error as Error).message } };
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all([stdout.done, stderr.done]),
      new Promise((resolve) => timer = setTimeout(resolve, DRAIN_MS)),
    ]);
    clearTimeout(timer);
    const finish = async (): Promise<void> => {
      await send(last);
      await writer.close();
    };
    let stall: ReturnType<typeof setTimeout> | undefined;
    const stalled = new Promise<never>((_, reject) => {
      stall = setTimeout(() =>
        reject(
          new ExecStalledError(
            `The client did not read the rest of the exec's output within ${finishTimeout} ms ` +
              `of its end: stream cut`,
          ),
        ), finishTimeout);
    });
    try {
      await Promise.race([finish(), stalled]);
    } finally {
      clearTimeout(stall);
    }
  };
  const reader = pipe.readable.getReader();
  let cut = (_error: unknown): void => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller): void {
      cut = (error): void => controller.error(error);
    },
    async pull(controller): Promise<void> {
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason): Promise<void> {
      gone.abort(reason);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  run().catch((error) => {
    if (error instanceof ExecStalledError) {
      logger.warn("Exec in {id}: {error}", { id, error: error.message });
    }
    // The client sees the stream fail, not end. Not writer.abort(): that waits
    // for the write in flight, which waits for a reader; cancelling the pipe's
    // readable errors its writable side and unblocks that write.
    cut(error);
    return reader.cancel(error).catch(() => {});
  }).finally(options.onEnd);
  return body;
}
