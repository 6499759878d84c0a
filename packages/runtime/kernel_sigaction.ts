/**
 * The kernel's own signal actions, read and written with the raw
 * `rt_sigaction` system call: glibc's `sigaction` refuses signals 32 and 33,
 * which it keeps for itself (SIGCANCEL and SIGSETXID, the same numbers on
 * every Linux architecture), yet a process must sometimes repair them (a
 * `posix_spawn` parent leaves them ignored) or guard them (an init). Linux
 * on x86-64 and aarch64; the kernel's action is 32 bytes on both (handler,
 * flags, restorer, 8-byte mask), only the system call's number differs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GLIBC_SIGNALS, handlerOf, readKernelSigaction } from "@weft/runtime/kernel-sigaction";
 *
 * assert.deepEqual(GLIBC_SIGNALS, [32, 33]);
 * const action = readKernelSigaction(GLIBC_SIGNALS[0]);
 * assert.equal(action.length, 32);
 * assert.equal(typeof handlerOf(action), "bigint");
 * ```
 *
 * @module
 */
import { errnoName, SyscallError } from "./syscall_error.ts";

/**
 * glibc's own signals (SIGCANCEL, SIGSETXID): 32 and 33 on every Linux architecture.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GLIBC_SIGNALS } from "@weft/runtime/kernel-sigaction";
 *
 * assert.ok(GLIBC_SIGNALS.includes(33));
 * ```
 */
export const GLIBC_SIGNALS: readonly [32, 33] = [32, 33];

/**
 * The size of the kernel's struct sigaction on x86-64 and aarch64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KERNEL_SIGACTION_SIZE, readKernelSigaction } from "@weft/runtime/kernel-sigaction";
 *
 * assert.equal(readKernelSigaction(33).length, KERNEL_SIGACTION_SIZE);
 * ```
 */
export const KERNEL_SIGACTION_SIZE = 32;

/**
 * The handler word of SIG_DFL (an action of all zeroes is SIG_DFL, no flags, nothing blocked).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIG_DFL } from "@weft/runtime/kernel-sigaction";
 *
 * assert.equal(SIG_DFL, 0n);
 * ```
 */
export const SIG_DFL = 0n;
/**
 * The handler word of SIG_IGN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIG_IGN } from "@weft/runtime/kernel-sigaction";
 *
 * assert.equal(SIG_IGN, 1n);
 * ```
 */
export const SIG_IGN = 1n;

/** `rt_sigaction`'s number per architecture (x86-64's table, and the generic one aarch64 uses). */
const RT_SIGACTION: Readonly<Partial<Record<typeof Deno.build.arch, bigint>>> = {
  "x86_64": 13n,
  aarch64: 134n,
};

/**
 * The number of the `rt_sigaction` system call on `arch`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rtSigactionNumber } from "@weft/runtime/kernel-sigaction";
 *
 * assert.equal(rtSigactionNumber("x86_64"), 13n);
 * assert.equal(rtSigactionNumber("aarch64"), 134n);
 * ```
 *
 * @throws {Error} For an architecture without a known number.
 */
export function rtSigactionNumber(arch: string = Deno.build.arch): bigint {
  const number = RT_SIGACTION[arch as typeof Deno.build.arch];
  if (number === undefined) {
    throw new Error(`Cannot set signal actions on ${arch}: only x86_64 and aarch64 are known`);
  }
  return number;
}

const SYMBOLS = {
  syscall: { parameters: ["i64", "i64", "buffer", "buffer", "i64"], result: "i64" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;
let libc: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"] | undefined;
const STRERROR = { strerror: { parameters: ["i32"], result: "pointer" } } as const;
let strerror: Deno.DynamicLibrary<typeof STRERROR>["symbols"]["strerror"] | undefined;

/** Calls `rt_sigaction`; gives 0, or the errno it set when it failed. */
function rtSigaction(signal: number, action: Uint8Array | null, old: Uint8Array | null): number {
  if (Deno.build.os !== "linux") throw new Error(`Cannot set signal actions on ${Deno.build.os}`);
  const number = rtSigactionNumber();
  // Opened (with __errno_location) before the call: nothing may run between
  // the call and the read of its errno.
  libc ??= Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  if (libc.syscall(number, BigInt(signal), action, old, 8n) === 0n) return 0;
  // glibc's __errno_location never gives NULL.
  return new Deno.UnsafePointerView(libc.__errno_location()!).getInt32();
}

/** The error of a failed `rt_sigaction`: `what`, then its errno by text, name and number. */
function sigactionError(what: string, errno: number): SyscallError {
  // Bound only now, after the errno was read.
  strerror ??= Deno.dlopen("libc.so.6", STRERROR).symbols.strerror;
  const text = strerror(errno);
  const name = errnoName(errno);
  return new SyscallError(
    `${what}: ${text === null ? "Unknown error" : Deno.UnsafePointerView.getCString(text)} ` +
      `(${name ?? "unknown errno"}, errno ${errno})`,
    { syscall: "rt_sigaction", errno, code: name },
  );
}

/**
 * The kernel's action for `signal` (needs `--allow-ffi`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKernelSigaction } from "@weft/runtime/kernel-sigaction";
 *
 * assert.equal(readKernelSigaction(33).length, 32);
 * ```
 *
 * @throws {SyscallError} When the system call fails (the message names its errno).
 * @throws {Error} On another OS or architecture.
 */
export function readKernelSigaction(signal: number): Uint8Array {
  const action = new Uint8Array(KERNEL_SIGACTION_SIZE);
  const errno = rtSigaction(signal, null, action);
  if (errno !== 0) throw sigactionError(`Cannot read the action of signal ${signal}`, errno);
  return action;
}

/**
 * Sets the kernel's action for `signal` to `action` as is (as read by
 * {@linkcode readKernelSigaction}, or all zeroes for SIG_DFL).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readKernelSigaction, writeKernelSigaction } from "@weft/runtime/kernel-sigaction";
 *
 * const before = readKernelSigaction(32);
 * writeKernelSigaction(32, before); // changes nothing
 * assert.deepEqual(readKernelSigaction(32), before);
 * ```
 *
 * @throws {SyscallError} When the system call fails (the message names its errno).
 * @throws {Error} On another OS or architecture.
 */
export function writeKernelSigaction(signal: number, action: Uint8Array): void {
  if (action.length !== KERNEL_SIGACTION_SIZE) {
    throw new RangeError(`Invalid action of ${action.length} bytes: expected 32`);
  }
  const errno = rtSigaction(signal, action, null);
  if (errno !== 0) throw sigactionError(`Cannot set the action of signal ${signal}`, errno);
}

/**
 * The handler word of a kernel action: {@linkcode SIG_DFL}, {@linkcode SIG_IGN} or an address.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { handlerOf, KERNEL_SIGACTION_SIZE, SIG_DFL } from "@weft/runtime/kernel-sigaction";
 *
 * assert.equal(handlerOf(new Uint8Array(KERNEL_SIGACTION_SIZE)), SIG_DFL);
 * ```
 */
export function handlerOf(action: Uint8Array): bigint {
  return new DataView(action.buffer, action.byteOffset, action.byteLength).getBigUint64(0, true);
}
