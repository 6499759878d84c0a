/**
 * Options of {@linkcode poll}.
 *
 * @example
 * ```ts no-assert
 * import type { PollOptions } from "@weft/runtime/testing";
 *
 * const options: PollOptions = { timeout: 5_000, interval: 10 };
 * console.log(options.timeout);
 * ```
 */
export interface PollOptions {
  /** Give up after this many milliseconds. @default {20000} */
  timeout?: number;
  /** Milliseconds between two reads. @default {20} */
  interval?: number;
}

/**
 * Reads `read` until `done` holds for its value, and returns that value: the
 * way a test waits for an event it cannot subscribe to (a container's
 * state, a status file), never a sleep for luck.
 *
 * @throws {Error} After `timeout`, naming `what` (or what it returns then) and the last value read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { poll } from "@weft/runtime/testing";
 *
 * let n = 0;
 * assert.equal(await poll(() => ++n, (value) => value === 3, "the third read"), 3);
 * ```
 */
export async function poll<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  what: string | (() => string),
  options: PollOptions = {},
): Promise<T> {
  const timeout = options.timeout ?? 20_000;
  // Monotonic: a test that steps Date.now() must not end or stretch a poll.
  const deadline = performance.now() + timeout;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) {
      throw new Error(
        `Timed out after ${timeout} ms waiting for ${
          typeof what === "string" ? what : what()
        }: last ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.interval ?? 20));
  }
}

/**
 * A stream that collects what is written to it as text, for a container's
 * stdout or stderr in a test.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collect } from "@weft/runtime/testing";
 *
 * const out = collect();
 * const writer = out.writable.getWriter();
 * await writer.write(new TextEncoder().encode("hello"));
 * await writer.close();
 * assert.equal(await out.text, "hello");
 * ```
 */
export function collect(): { writable: WritableStream<Uint8Array>; text: Promise<string> } {
  const pipe = new TransformStream<Uint8Array, Uint8Array>();
  return { writable: pipe.writable, text: new Response(pipe.readable).text() };
}
