/**
 * Fields of {@linkcode SyscallError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SyscallError, type SyscallErrorOptions } from "@weft/init/syscall-error";
 *
 * const options: SyscallErrorOptions = { syscall: "reboot", errno: 1, code: "EPERM" };
 * const error = new SyscallError("Cannot power off: Operation not permitted", options);
 * assert.ok(error.syscall === "reboot" && error.errno === 1);
 * ```
 */
export interface SyscallErrorOptions extends ErrorOptions {
  /** The system call that failed, e.g. `"mount"`. */
  syscall: string;
  /** The `errno` it set. */
  errno: number;
  /** The symbolic name of `errno` (`"EPERM"`), when known. */
  code?: string;
}

/**
 * A system call made through FFI failed; carries its `errno`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SyscallError } from "@weft/init/syscall-error";
 *
 * const error = new SyscallError('Cannot mount "proc" on "/proc": Operation not permitted', {
 *   syscall: "mount",
 *   errno: 1,
 *   code: "EPERM",
 * });
 * assert.equal(error.code, "EPERM");
 * ```
 */
export class SyscallError extends Error {
  /** The system call that failed. */
  readonly syscall: string;
  /** The `errno` it set. */
  readonly errno: number;
  /** The symbolic name of `errno`, or `undefined` when unknown. */
  readonly code?: string;
  /** Creates the error. */
  constructor(message: string, options: SyscallErrorOptions) {
    super(message, options);
    this.name = "SyscallError";
    this.syscall = options.syscall;
    this.errno = options.errno;
    this.code = options.code;
  }
}
