import { concatBytes, type Stdio, writeAllSync } from "@weft/runtime";
import type { StdioConfig } from "./config.ts";

/**
 * Something bytes can be written to completely, like `Deno.stdout`.
 *
 * @example
 * ```ts
 * import { type ByteSink, prefixLines } from "@weft/init";
 *
 * const chunks: Uint8Array[] = [];
 * const sink: ByteSink = { writeSync: (data) => (chunks.push(data.slice()), data.length) };
 * const writer = prefixLines("[web] ", sink).getWriter();
 * await writer.write(new TextEncoder().encode("ready\n"));
 * await writer.close();
 * console.assert(new TextDecoder().decode(chunks[0]) === "[web] ready\n");
 * ```
 */
export interface ByteSink {
  /** Writes some of `data`, returning how many bytes were written. */
  writeSync(data: Uint8Array): number;
}

const NEWLINE = 10;

/**
 * A stream that writes each line it receives to `sink` with `prefix` in
 * front, one whole line per write so that lines of several containers never
 * mix. A last line without a newline is written with one when the stream
 * closes.
 *
 * @example
 * ```ts
 * import { prefixLines } from "@weft/init";
 *
 * const out: string[] = [];
 * const sink = { writeSync: (data: Uint8Array) => (out.push(new TextDecoder().decode(data)), data.length) };
 * const writer = prefixLines("[web] ", sink).getWriter();
 * await writer.write(new TextEncoder().encode("hello\nwor"));
 * await writer.write(new TextEncoder().encode("ld\n"));
 * await writer.close();
 * console.assert(out.join("") === "[web] hello\n[web] world\n");
 * ```
 */
export function prefixLines(prefix: string, sink: ByteSink): WritableStream<Uint8Array> {
  return new WritableStream(prefixSink(prefix, sink));
}

function prefixSink(prefix: string, sink: ByteSink): UnderlyingSink<Uint8Array> {
  const head = new TextEncoder().encode(prefix);
  let pending: Uint8Array[] = [];
  const emit = (tail: Uint8Array): void => {
    const line = concatBytes([head, ...pending, tail]);
    pending = [];
    writeAllSync(sink, line);
  };
  return {
    write(chunk): void {
      let start = 0;
      for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
        emit(chunk.subarray(start, end + 1));
        start = end + 1;
      }
      if (start < chunk.length) pending.push(chunk.slice(start));
    },
    close(): void {
      if (pending.length > 0) emit(new Uint8Array([NEWLINE]));
    },
  };
}

/** A stream over `sink` and a promise that settles when the writer closes or aborts it. */
function tracked(
  sink: UnderlyingSink<Uint8Array>,
): { stream: WritableStream<Uint8Array>; ended: Promise<void> } {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => end = resolve);
  const stream = new WritableStream<Uint8Array>({
    write: (chunk, controller) => sink.write?.(chunk, controller),
    close: () => {
      try {
        sink.close?.();
      } finally {
        end();
      }
    },
    abort: (reason) => {
      try {
        sink.abort?.(reason);
      } finally {
        end();
      }
    },
  });
  return { stream, ended };
}

type Tracked = ReturnType<typeof tracked>;

function both(out: Tracked, err: Tracked): ContainerStdio {
  return {
    stdio: { stdout: out.stream, stderr: err.stream },
    done: Promise.all([out.ended, err.ended]).then(() => {}),
  };
}

/**
 * The stdio of one run of a container, and a way to wait until its output is written.
 *
 * @example
 * ```ts ignore
 * import { type ContainerStdio, openContainerStdio } from "@weft/init";
 * import { selectRuntime } from "@weft/runtime";
 *
 * const runtime = await selectRuntime("auto");
 * const { stdio, done }: ContainerStdio = await openContainerStdio("web", { file: "/var/log/web.log" });
 * await runtime.create("web", "/bundles/web", stdio);
 * await done; // after the container exited: every line is in the file
 * ```
 */
export interface ContainerStdio {
  /** What the runtime's `create` receives. */
  stdio: Stdio;
  /** Resolves once every output stream has closed (the container and its children exited). */
  done: Promise<void>;
}

/**
 * Options of {@linkcode openContainerStdio}.
 *
 * @example
 * ```ts
 * import { openContainerStdio, type OpenContainerStdioOptions } from "@weft/init";
 *
 * const lines: string[] = [];
 * const sink = { writeSync: (data: Uint8Array) => (lines.push(new TextDecoder().decode(data)), data.length) };
 * const options: OpenContainerStdioOptions = { stdout: sink, stderr: sink };
 * const { stdio } = await openContainerStdio("web", "console", options);
 * console.assert(stdio.stdout !== undefined);
 * ```
 */
export interface OpenContainerStdioOptions {
  /** Where console output goes. @default {Deno.stdout} */
  stdout?: ByteSink;
  /** Where console error output goes. @default {Deno.stderr} */
  stderr?: ByteSink;
  /**
   * Also receives the bytes of container `id`'s `stream`, whatever its
   * `stdio` setting (the control API's log ring is fed this way). Its
   * writes are not awaited: a tap must take bytes at once, never hold up
   * the container's output.
   */
  tap?: (id: string, stream: "stdout" | "stderr") => WritableStream<Uint8Array>;
}

/** `sink`, with every chunk also handed to `tap` (not awaited) when there is one. */
function withTap(
  sink: UnderlyingSink<Uint8Array>,
  tap: WritableStream<Uint8Array> | undefined,
): UnderlyingSink<Uint8Array> {
  const writer = tap?.getWriter();
  if (!writer) return sink;
  const quiet = (promise: Promise<void>): void => void promise.catch(() => {});
  return {
    write(chunk, controller): void | PromiseLike<void> {
      quiet(writer.write(chunk));
      return sink.write?.(chunk, controller);
    },
    close(): void | PromiseLike<void> {
      quiet(writer.close());
      return sink.close?.();
    },
    abort(reason): void | PromiseLike<void> {
      quiet(writer.abort(reason));
      return sink.abort?.(reason);
    },
  };
}

/**
 * Makes the stdio of one run of container `id`: for `"console"` streams
 * that prefix each line with `[id] ` on the init's stdout and stderr; for
 * `{file}` both streams appended to the file; for `"none"` nothing
 * (/dev/null). Stdin is always /dev/null.
 *
 * @example
 * ```ts ignore
 * import { openContainerStdio } from "@weft/init";
 *
 * const { stdio, done } = await openContainerStdio("web", "console");
 * await runtime.create("web", "/bundles/web", stdio);
 * ```
 */
export async function openContainerStdio(
  id: string,
  config: StdioConfig,
  options: OpenContainerStdioOptions = {},
): Promise<ContainerStdio> {
  const tap = (stream: "stdout" | "stderr") => options.tap?.(id, stream);
  if (config === "none") {
    if (!options.tap) return { stdio: {}, done: Promise.resolve() };
    const out = tracked(withTap({}, tap("stdout")));
    const err = tracked(withTap({}, tap("stderr")));
    return both(out, err);
  }
  if (config === "console") {
    const out = tracked(
      withTap(prefixSink(`[${id}] `, options.stdout ?? Deno.stdout), tap("stdout")),
    );
    const err = tracked(
      withTap(prefixSink(`[${id}] `, options.stderr ?? Deno.stderr), tap("stderr")),
    );
    return both(out, err);
  }
  const file = await Deno.open(config.file, { append: true, create: true, write: true });
  let open = 2;
  const release = (): void => {
    if (--open === 0) file.close();
  };
  const part = (stream: "stdout" | "stderr") =>
    tracked(
      withTap(
        { write: (chunk) => writeAllSync(file, chunk), close: release, abort: release },
        tap(stream),
      ),
    );
  const out = part("stdout");
  const err = part("stderr");
  return both(out, err);
}
