import { brandErrorClass, hasErrorBrand } from "./error_brand.ts";

/**
 * Base class of every failure of a runtime call, so that a caller can catch
 * them all at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RuntimeError } from "@weft/runtime";
 *
 * const error = new RuntimeError("Cannot start container \"web\"");
 * assert.ok(error instanceof Error && error.name === "RuntimeError");
 * ```
 */
export class RuntimeError extends Error {
  static {
    brandErrorClass(this, "RuntimeError");
  }
  /**
   * True for instances of this class made by any copy of @weft/runtime in
   * the process (a bundled host and a plugin each may carry one): identity
   * is a shared brand, not the prototype chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasErrorBrand(this, value);
  }
  /** Creates the error; `options.cause` keeps the underlying error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
  }
}

/**
 * Fields of {@linkcode RuntimeNotFoundError}.
 *
 * @example
 * ```ts no-assert
 * import type { RuntimeNotFoundErrorOptions } from "@weft/runtime";
 *
 * const options: RuntimeNotFoundErrorOptions = { binary: "crun", path: "/usr/bin" };
 * ```
 */
export interface RuntimeNotFoundErrorOptions extends ErrorOptions {
  /** The binary that was looked for (a name or a path). */
  binary: string;
  /** The PATH that was searched when `binary` is a bare name. */
  path?: string;
}

/**
 * The runtime binary does not exist (or is not executable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RuntimeNotFoundError } from "@weft/runtime";
 *
 * const error = new RuntimeNotFoundError(
 *   'Cannot find runtime binary "crun" in PATH "/usr/bin"',
 *   { binary: "crun", path: "/usr/bin" },
 * );
 * assert.equal(error.binary, "crun");
 * ```
 */
export class RuntimeNotFoundError extends RuntimeError {
  static {
    brandErrorClass(this, "RuntimeNotFoundError");
  }
  /** The binary that was looked for. */
  readonly binary: string;
  /** The PATH that was searched, when the binary was a bare name. */
  readonly path?: string;
  /** Creates the error. */
  constructor(message: string, options: RuntimeNotFoundErrorOptions) {
    super(message, options);
    this.name = "RuntimeNotFoundError";
    this.binary = options.binary;
    this.path = options.path;
  }
}

/**
 * Fields of {@linkcode RuntimeCommandError}.
 *
 * @example
 * ```ts no-assert
 * import type { RuntimeCommandErrorOptions } from "@weft/runtime";
 *
 * const options: RuntimeCommandErrorOptions = {
 *   argv: ["runc", "start", "web"],
 *   code: 1,
 *   runtimeMessage: "container does not exist",
 * };
 * ```
 */
export interface RuntimeCommandErrorOptions extends ErrorOptions {
  /** The full command line that ran, binary first. */
  argv: readonly string[];
  /** The runtime's exit code. */
  code: number;
  /** The runtime's own message (from its JSON log, else its stderr). */
  runtimeMessage: string;
}

/**
 * The runtime ran and failed (non-zero exit). Carries the command line, the
 * exit code and the runtime's own message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RuntimeCommandError } from "@weft/runtime";
 *
 * const error = new RuntimeCommandError(
 *   'Cannot delete container "web": runc exited with code 1: container is running',
 *   { argv: ["runc", "delete", "web"], code: 1, runtimeMessage: "container is running" },
 * );
 * assert.equal(error.code, 1);
 * ```
 */
export class RuntimeCommandError extends RuntimeError {
  static {
    brandErrorClass(this, "RuntimeCommandError");
  }
  /** The full command line that ran, binary first. */
  readonly argv: readonly string[];
  /** The runtime's exit code. */
  readonly code: number;
  /** The runtime's own message. */
  readonly runtimeMessage: string;
  /** Creates the error. */
  constructor(message: string, options: RuntimeCommandErrorOptions) {
    super(message, options);
    this.name = "RuntimeCommandError";
    this.argv = options.argv;
    this.code = options.code;
    this.runtimeMessage = options.runtimeMessage;
  }
}

/**
 * Fields of {@linkcode RuntimeTimeoutError} and {@linkcode RuntimeAbortError}.
 *
 * @example
 * ```ts no-assert
 * import type { RuntimeInterruptOptions } from "@weft/runtime";
 *
 * const options: RuntimeInterruptOptions = { argv: ["runc", "state", "web"] };
 * ```
 */
export interface RuntimeInterruptOptions extends ErrorOptions {
  /** The full command line that was stopped, binary first. */
  argv: readonly string[];
}

/**
 * A runtime call did not finish within its timeout; the runtime process (and
 * what it forked) was stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RuntimeTimeoutError } from "@weft/runtime";
 *
 * const error = new RuntimeTimeoutError('Runtime call "runc state web" timed out after 50 ms', {
 *   argv: ["runc", "state", "web"],
 *   timeout: 50,
 * });
 * assert.equal(error.timeout, 50);
 * ```
 */
export class RuntimeTimeoutError extends RuntimeError {
  static {
    brandErrorClass(this, "RuntimeTimeoutError");
  }
  /** The command line that was stopped. */
  readonly argv: readonly string[];
  /** The timeout in milliseconds. */
  readonly timeout: number;
  /** Creates the error. */
  constructor(message: string, options: RuntimeInterruptOptions & { timeout: number }) {
    super(message, options);
    this.name = "RuntimeTimeoutError";
    this.argv = options.argv;
    this.timeout = options.timeout;
  }
}

/**
 * A runtime call was aborted through its `AbortSignal`; the runtime process
 * (and what it forked) was stopped. `cause` holds the abort reason.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RuntimeAbortError } from "@weft/runtime";
 *
 * const error = new RuntimeAbortError('Runtime call "runc state web" was aborted', {
 *   argv: ["runc", "state", "web"],
 * });
 * assert.equal(error.name, "RuntimeAbortError");
 * ```
 */
export class RuntimeAbortError extends RuntimeError {
  static {
    brandErrorClass(this, "RuntimeAbortError");
  }
  /** The command line that was stopped. */
  readonly argv: readonly string[];
  /** Creates the error. */
  constructor(message: string, options: RuntimeInterruptOptions) {
    super(message, options);
    this.name = "RuntimeAbortError";
    this.argv = options.argv;
  }
}

/**
 * The runtime succeeded but printed something that cannot be parsed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RuntimeOutputError } from "@weft/runtime";
 *
 * const error = new RuntimeOutputError('Cannot parse runc state output: "garbage"', {
 *   argv: ["runc", "state", "web"],
 *   output: "garbage",
 * });
 * assert.equal(error.output, "garbage");
 * ```
 */
export class RuntimeOutputError extends RuntimeError {
  static {
    brandErrorClass(this, "RuntimeOutputError");
  }
  /** The command line that ran. */
  readonly argv: readonly string[];
  /** What the runtime printed. */
  readonly output: string;
  /** Creates the error. */
  constructor(message: string, options: RuntimeInterruptOptions & { output: string }) {
    super(message, options);
    this.name = "RuntimeOutputError";
    this.argv = options.argv;
    this.output = options.output;
  }
}

/**
 * An argument was refused before anything ran: a bad container id, signal,
 * bundle directory or option. A `TypeError`, as the wrong shape of input is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidArgumentError } from "@weft/runtime";
 *
 * const error = new InvalidArgumentError('Invalid container id "-rf": must not start with "-"', {
 *   argument: "id",
 *   value: "-rf",
 *   reason: 'must not start with "-"',
 * });
 * assert.ok(error instanceof TypeError && error.argument === "id");
 * assert.equal(error.reason, 'must not start with "-"');
 * ```
 */
export class InvalidArgumentError extends TypeError {
  static {
    brandErrorClass(this, "InvalidArgumentError");
  }
  /**
   * True for instances of this class made by any copy of @weft/runtime in
   * the process (a bundled host and a plugin each may carry one): identity
   * is a shared brand, not the prototype chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasErrorBrand(this, value);
  }
  /** The name of the argument or option that was refused. */
  readonly argument: string;
  /** The value that was refused. */
  readonly value: unknown;
  /**
   * Why, alone (without the argument's name and value), for a caller that
   * words the refusal its own way; the whole message when the thrower gave none.
   */
  readonly reason: string;
  /** Creates the error. */
  constructor(
    message: string,
    options: ErrorOptions & { argument: string; value: unknown; reason?: string },
  ) {
    super(message, options);
    this.name = "InvalidArgumentError";
    this.argument = options.argument;
    this.value = options.value;
    this.reason = options.reason ?? message;
  }
}
