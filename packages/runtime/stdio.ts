/**
 * Where one standard stream of a container goes: a web stream of yours, or
 * `"inherit"` for the caller's own file descriptor (for example the console
 * of a PID 1).
 *
 * @example
 * ```ts no-assert
 * import type { StdioTarget } from "@weft/runtime";
 *
 * const console: StdioTarget<WritableStream<Uint8Array>> = "inherit";
 * ```
 */
export type StdioTarget<T> = T | "inherit";

/**
 * The container's fd 0, 1 and 2. A missing field means /dev/null.
 *
 * @example Capture a container's output
 * ```ts no-assert
 * import type { Stdio } from "@weft/runtime";
 *
 * const chunks: Uint8Array[] = [];
 * const stdio: Stdio = {
 *   stdout: new WritableStream({ write(chunk) { chunks.push(chunk); } }),
 *   stderr: "inherit",
 * };
 * ```
 */
export interface Stdio {
  /** Bytes the container reads on fd 0. */
  stdin?: StdioTarget<ReadableStream<Uint8Array>>;
  /** Receives what the container writes on fd 1; closed when the container exits. */
  stdout?: StdioTarget<WritableStream<Uint8Array>>;
  /** Receives what the container writes on fd 2; closed when the container exits. */
  stderr?: StdioTarget<WritableStream<Uint8Array>>;
}
