/**
 * {@linkcode SyscallError}, the error of a system call made through FFI, as
 * `@weft/init/syscall-error`; its owner is `@weft/runtime`.
 *
 * @module
 */
export { SyscallError, type SyscallErrorOptions } from "@weft/runtime";
