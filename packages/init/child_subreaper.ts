import { getChildSubreaper, setChildSubreaper as setAttribute } from "./_libc.ts";

/**
 * Makes this process a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`):
 * orphaned descendants are then re-parented to it instead of to PID 1, so it
 * can reap them. Needs `--allow-ffi`.
 *
 * @param on `false` clears the attribute. @default {true}
 * @throws {SyscallError} When the kernel refuses.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { isChildSubreaper, setChildSubreaper } from "@weft/init/child-subreaper";
 *
 * setChildSubreaper();
 * assert.ok(isChildSubreaper());
 * setChildSubreaper(false);
 * ```
 */
export function setChildSubreaper(on: boolean = true): void {
  setAttribute(on);
}

/**
 * Whether this process is a child subreaper (`prctl(PR_GET_CHILD_SUBREAPER)`).
 * Needs `--allow-ffi`.
 *
 * @throws {SyscallError} When the kernel refuses.
 *
 * @example
 * ```ts ignore
 * import { isChildSubreaper } from "@weft/init/child-subreaper";
 *
 * console.log(isChildSubreaper());
 * ```
 */
export function isChildSubreaper(): boolean {
  return getChildSubreaper();
}
