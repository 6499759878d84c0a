/**
 * The error of a system call made through FFI, with its errno, and the
 * symbolic names of the errnos weft's calls meet: one owner for @weft/runtime
 * (rt_sigaction) and @weft/init (waitid, prctl, mount, reboot...).
 *
 * @module
 */
import { brandErrorClass, hasErrorBrand } from "./error_brand.ts";
/**
 * Fields of {@linkcode SyscallError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SyscallError, type SyscallErrorOptions } from "@weft/runtime";
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
 * import { SyscallError } from "@weft/runtime";
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
  static {
    brandErrorClass(this, "SyscallError");
  }
  /** True for instances made by any copy of @weft/runtime in the process (see error_brand.ts). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasErrorBrand(this, value);
  }
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

const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  4: "EINTR",
  5: "EIO",
  10: "ECHILD",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  16: "EBUSY",
  17: "EEXIST",
  19: "ENODEV",
  20: "ENOTDIR",
  22: "EINVAL",
  30: "EROFS",
  38: "ENOSYS",
};

/**
 * The symbolic name of `errno` on Linux (x86-64 and aarch64 share them), for
 * the errnos weft's system calls meet; `undefined` for another.
 *
 * @param errno The errno a call set.
 * @returns Its name, e.g. `"EPERM"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errnoName } from "@weft/runtime";
 *
 * assert.equal(errnoName(22), "EINVAL");
 * assert.equal(errnoName(4095), undefined);
 * ```
 */
export function errnoName(errno: number): string | undefined {
  return ERRNO_NAMES[errno];
}
