import { concatBytes, type Stdio, writeAllSync } from "@weft/runtime";
import type { StdioConfig, StdioFileConfig } from "./config.ts";
import { forEachLine, LineFramer, prefixEachLine } from "./_line_framer.ts";
import { jsonLines, LogFile } from "./_log_file.ts";

/**
 * Something bytes can be written to completely, like `Deno.stdout`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ByteSink, prefixLines } from "@weft/init";
 *
 * const chunks: Uint8Array[] = [];
 * const sink: ByteSink = { writeSync: (data) => (chunks.push(data.slice()), data.length) };
 * const writer = prefixLines("[web] ", sink).getWriter();
 * await writer.write(new TextEncoder().encode("ready\n"));
 * await writer.close();
 * assert.equal(new TextDecoder().decode(chunks[0]), "[web] ready\n");
 * ```
 */
export interface ByteSink {
  /** Writes some of `data`, returning how many bytes were written. */
  writeSync(data: Uint8Array): number;
}

/** A line longer than this is cut (a newline added), so that memory stays bounded. */
const MAX_LINE = 1024 * 1024;
const NEWLINE_BYTE = new Uint8Array([10]);

/**
 * One whole line of a container's output, as given to a {@linkcode LineTap}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ContainerLine } from "@weft/init";
 *
 * const line: ContainerLine = { id: "web", stream: "stdout", text: "ready", partial: false };
 * assert.equal(line.text, "ready");
 * ```
 */
export interface ContainerLine {
  /** The container's id. */
  id: string;
  /** The stream the line came on. */
  stream: "stdout" | "stderr";
  /** The line, decoded as UTF-8, without its newline. */
  text: string;
  /**
   * True for a last line that had no newline when the stream closed (a line
   * longer than 1 MiB is cut into lines of 1 MiB).
   */
  partial: boolean;
}

/**
 * Receives every whole line of every container's output, per container and
 * stream, in the order each stream produced them, as the lines are written
 * to their console or file: for example to keep the last lines of each
 * container in memory for a control API. Called synchronously; it must not
 * throw and should be quick (it is on the output path). Containers with
 * `stdio: "none"` have no output to tap.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type LineTap, openContainerStdio } from "@weft/init";
 *
 * const seen: string[] = [];
 * const tap: LineTap = (line) => seen.push(`${line.id}/${line.stream}: ${line.text}`);
 * const sink = { writeSync: (data: Uint8Array) => data.length };
 * const { stdio, done } = await openContainerStdio("web", "console", { stdout: sink, tap });
 * const writer = (stdio.stdout as WritableStream<Uint8Array>).getWriter();
 * await writer.write(new TextEncoder().encode("one\ntwo\n"));
 * await writer.close();
 * await (stdio.stderr as WritableStream<Uint8Array>).close();
 * await done;
 * assert.deepEqual(seen, ["web/stdout: one", "web/stdout: two"]);
 * ```
 */
export type LineTap = (line: ContainerLine) => void;

/** Where one stream's framed lines go. */
interface LineOutput {
  /** Whole lines, each ending with a newline. */
  block(block: Uint8Array): void;
  /** The last line, which had no newline (one is added where the format needs it). */
  rest(line: Uint8Array): void;
  /** The stream ended. */
  end(): void;
}

/** A sink that frames a stream into whole lines for `output`, telling `tap` each line. */
function framedSink(
  output: LineOutput,
  tap?: { tap: LineTap; id: string; stream: "stdout" | "stderr" },
): UnderlyingSink<Uint8Array> {
  const framer = new LineFramer(MAX_LINE);
  const decoder = new TextDecoder();
  const tell = (block: Uint8Array, partial: boolean): void => {
    if (!tap) return;
    forEachLine(block, (start, end) =>
      tap.tap({
        id: tap.id,
        stream: tap.stream,
        text: decoder.decode(block.subarray(start, end)),
        partial,
      }));
  };
  const finish = (): void => {
    const rest = framer.rest();
    try {
      if (rest !== undefined) {
        output.rest(rest);
        tell(concatBytes([rest, NEWLINE_BYTE]), true);
      }
    } finally {
      output.end();
    }
  };
  return {
    write(chunk): void {
      const block = framer.push(chunk);
      if (block === undefined) return;
      output.block(block);
      tell(block, false);
    },
    close: finish,
    abort: finish,
  };
}

/** Console output: each line with `prefix` in front, one write per block of lines. */
function consoleOutput(prefix: string, sink: ByteSink): LineOutput {
  const head = new TextEncoder().encode(prefix);
  return {
    block: (block) => writeAllSync(sink, prefixEachLine(head, block)),
    rest: (line) => writeAllSync(sink, concatBytes([head, line, NEWLINE_BYTE])),
    end: () => {},
  };
}

/**
 * A stream that writes each line it receives to `sink` with `prefix` in
 * front. Lines are written whole, several per write (as many as a chunk
 * completes), so that lines of several containers never mix and a busy
 * container costs few writes. A last line without a newline is written with
 * one when the stream closes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prefixLines } from "@weft/init";
 *
 * const out: string[] = [];
 * const sink = { writeSync: (data: Uint8Array) => (out.push(new TextDecoder().decode(data)), data.length) };
 * const writer = prefixLines("[web] ", sink).getWriter();
 * await writer.write(new TextEncoder().encode("hello\nwor"));
 * await writer.write(new TextEncoder().encode("ld\n"));
 * await writer.close();
 * assert.equal(out.join(""), "[web] hello\n[web] world\n");
 * ```
 */
export function prefixLines(prefix: string, sink: ByteSink): WritableStream<Uint8Array> {
  return new WritableStream(framedSink(consoleOutput(prefix, sink)));
}

/** File output of one stream, in `format`, into `file` (released at the end). */
function fileOutput(
  file: LogFile,
  stream: "stdout" | "stderr",
  format: "text" | "json",
): LineOutput {
  file.acquire();
  if (format === "json") {
    const decoder = new TextDecoder();
    const json = (block: Uint8Array, partial = false) =>
      jsonLines(block, stream, new Date().toISOString(), decoder, partial);
    return {
      block: (block) => file.write(json(block)),
      rest: (line) => file.write(json(concatBytes([line, NEWLINE_BYTE]), true)),
      end: () => file.release(),
    };
  }
  return {
    block: (block) => file.write(block),
    rest: (line) => file.write(concatBytes([line, NEWLINE_BYTE])),
    end: () => file.release(),
  };
}

/**
 * A stream over `sink` and a promise that settles when the writer closes or
 * aborts it, or a write throws (an errored stream calls neither close nor
 * abort: the sink is aborted here, so that its file is released).
 */
function tracked(
  sink: UnderlyingSink<Uint8Array>,
): { stream: WritableStream<Uint8Array>; ended: Promise<void> } {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => end = resolve);
  const stream = new WritableStream<Uint8Array>({
    write: (chunk, controller) => {
      try {
        return sink.write?.(chunk, controller);
      } catch (error) {
        try {
          sink.abort?.(error);
        } catch {
          // The write's error is the one reported.
        } finally {
          end();
        }
        throw error;
      }
    },
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
 * import assert from "node:assert/strict";
 * import { openContainerStdio, type OpenContainerStdioOptions } from "@weft/init";
 *
 * const lines: string[] = [];
 * const sink = { writeSync: (data: Uint8Array) => (lines.push(new TextDecoder().decode(data)), data.length) };
 * const options: OpenContainerStdioOptions = { stdout: sink, stderr: sink };
 * const { stdio } = await openContainerStdio("web", "console", options);
 * assert.ok(stdio.stdout !== undefined);
 * ```
 */
export interface OpenContainerStdioOptions {
  /** Where console output goes. @default {Deno.stdout} */
  stdout?: ByteSink;
  /** Where console error output goes. @default {Deno.stderr} */
  stderr?: ByteSink;
  /** Also receives every whole line, per container and stream (see {@linkcode LineTap}). */
  tap?: LineTap;
}

/**
 * The default size at which a container's log file rotates: kubelet's 10 MiB.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LOG_MAX_BYTES } from "@weft/init";
 *
 * assert.equal(DEFAULT_LOG_MAX_BYTES, 10 * 1024 * 1024);
 * ```
 */
export const DEFAULT_LOG_MAX_BYTES: number = 10 * 1024 * 1024;

/**
 * The default number of log files kept per path, the one written included: kubelet's 5.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_LOG_MAX_FILES } from "@weft/init";
 *
 * assert.equal(DEFAULT_LOG_MAX_FILES, 5);
 * ```
 */
export const DEFAULT_LOG_MAX_FILES: number = 5;

/**
 * Makes the stdio of one run of container `id`. Both output streams are
 * framed into whole lines, each stream's order kept, several lines per
 * write call: for `"console"` each line is prefixed with `[id] ` on the
 * init's stdout and stderr; for `{file}` lines are appended to the file
 * (stderr to `stderrFile` when given), as text or as JSON lines
 * (`format: "json"`: `{"time","stream","log"}`, and `"partial": true` on a
 * last line that had no newline), rotated by size between lines
 * (`maxBytes`, default 10 MiB; `maxFiles` kept, default 5); for `"none"`
 * nothing (/dev/null). Stdin is always /dev/null.
 *
 * @example
 * ```ts ignore
 * import { openContainerStdio } from "@weft/init";
 *
 * const { stdio, done } = await openContainerStdio("web", "console");
 * await runtime.create("web", "/bundles/web", stdio);
 * ```
 */
export function openContainerStdio(
  id: string,
  config: StdioConfig,
  options: OpenContainerStdioOptions = {},
): Promise<ContainerStdio> {
  if (config === "none") return Promise.resolve({ stdio: {}, done: Promise.resolve() });
  const tap = (stream: "stdout" | "stderr") => options.tap && { tap: options.tap, id, stream };
  // A file that cannot be opened rejects the promise (the constructor turns the throw into that).
  return new Promise((resolve) => {
    const outputs: [LineOutput, LineOutput] = config === "console"
      ? [
        consoleOutput(`[${id}] `, options.stdout ?? Deno.stdout),
        consoleOutput(`[${id}] `, options.stderr ?? Deno.stderr),
      ]
      : fileOutputs(config);
    const out = tracked(framedSink(outputs[0], tap("stdout")));
    const err = tracked(framedSink(outputs[1], tap("stderr")));
    resolve({
      stdio: { stdout: out.stream, stderr: err.stream },
      done: Promise.all([out.ended, err.ended]).then(() => {}),
    });
  });
}

/** The outputs of stdout and stderr for a `{file}` config; nothing stays open if one fails. */
function fileOutputs(config: StdioFileConfig): [LineOutput, LineOutput] {
  const rotation = {
    maxBytes: config.maxBytes ?? DEFAULT_LOG_MAX_BYTES,
    maxFiles: config.maxFiles ?? DEFAULT_LOG_MAX_FILES,
  };
  const format = config.format ?? "text";
  const out = LogFile.open(config.file, rotation).acquire();
  try {
    const err = config.stderrFile === undefined || config.stderrFile === config.file
      ? out
      : LogFile.open(config.stderrFile, rotation);
    return [fileOutput(out, "stdout", format), fileOutput(err, "stderr", format)];
  } finally {
    out.release();
  }
}
