// FFI bindings to the few libc calls the init needs. The library is opened on
// first use, so importing a module never needs --allow-ffi; only calling it
// does. Every call here is non-blocking (WNOHANG, or a call that returns at
// once), so it is safe on the JS thread.
import { errnoName, SyscallError } from "@weft/runtime";

const SYMBOLS = {
  waitid: { parameters: ["i32", "i32", "buffer", "i32"], result: "i32" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  prctlPointer: {
    name: "prctl",
    parameters: ["i32", "buffer", "u64", "u64", "u64"],
    result: "i32",
  },
  mount: { parameters: ["buffer", "buffer", "buffer", "u64", "buffer"], result: "i32" },
  sync: { parameters: [], result: "void" },
  reboot: { parameters: ["i32"], result: "i32" },
  strerror: { parameters: ["i32"], result: "pointer" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

type Symbols = typeof SYMBOLS;
type Libc = Deno.DynamicLibrary<Symbols>["symbols"];

const bound: { -readonly [K in keyof Libc]?: Libc[K] } = {};

/**
 * One libc function, bound on its first call: Deno compiles a trampoline per
 * symbol at dlopen, about 0.3 ms each (measured), and a start needs only the
 * reaper's three of these nine (mount, sync and reboot serve a VM's PID 1).
 */
function lib<K extends keyof Symbols>(name: K): Libc[K] {
  if (bound[name] === undefined) {
    // Bound with the first call, never after a failed one: a dlopen then
    // could change the errno that errno() is about to read.
    prepareErrno();
    bound[name] = bind(name);
  }
  return bound[name]!;
}

function bind<K extends keyof Symbols>(name: K): Libc[K] {
  const one = { [name]: SYMBOLS[name] } as Pick<Symbols, K>;
  return Deno.dlopen("libc.so.6", one).symbols[name] as Libc[K];
}

/**
 * Binds what {@linkcode syscallError} reads, for a module that makes its own
 * libc calls (_machine_libc.ts): it calls this before its first one, so that
 * no dlopen falls between a failed call and the errno read.
 */
export function prepareErrno(): void {
  bound.__errno_location ??= bind("__errno_location");
}

/** The errno of the last failed call; read right after the call, before any other. */
function errno(): number {
  const pointer = lib("__errno_location")();
  return pointer === null ? 0 : new Deno.UnsafePointerView(pointer).getInt32();
}

function describe(code: number): string {
  const pointer = lib("strerror")(code);
  return pointer === null ? `errno ${code}` : Deno.UnsafePointerView.getCString(pointer);
}

/** Builds the error of a call that just failed; `what` starts the message. */
export function syscallError(
  syscall: string,
  what: string,
  code: number = errno(),
): SyscallError {
  return new SyscallError(`${what}: ${describe(code)}`, {
    syscall,
    errno: code,
    code: errnoName(code),
  });
}

const encoder = new TextEncoder();

function cString(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${text}\0`);
}

const ECHILD = 10;

const P_ALL = 0;
const P_PID = 1;
const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
// Also children whose exit signal is not SIGCHLD (clone()d by a runtime
// with another signal): the kernel resets it to SIGCHLD when it re-parents
// an orphan, but a reaper should not depend on that.
const __WALL = 0x40000000;

// siginfo_t is 128 bytes; si_pid sits at offset 16 on 64-bit Linux.
const siginfo = new Uint8Array(128);
const siginfoView = new DataView(siginfo.buffer);

/**
 * The pid of one child that has exited and is waiting to be reaped, without
 * reaping it (waitid with WNOWAIT), or 0 when there is none.
 * Throws on errors other than ECHILD (no children at all, reported as 0).
 */
export function peekExitedChild(): number {
  siginfo.fill(0);
  if (lib("waitid")(P_ALL, 0, siginfo, WEXITED | WNOHANG | WNOWAIT | __WALL) === -1) {
    const code = errno();
    if (code === ECHILD) return 0;
    throw syscallError("waitid", "Cannot look for exited children", code);
  }
  return siginfoView.getInt32(16, true);
}

/**
 * Whether the child `pid` has exited and waits to be reaped, without reaping
 * it (waitid with WNOWAIT); false when it runs or is not a child (ECHILD).
 * Other errors give true, so that reaping it reports them.
 */
export function hasExited(pid: number): boolean {
  siginfo.fill(0);
  if (lib("waitid")(P_PID, pid, siginfo, WEXITED | WNOHANG | WNOWAIT | __WALL) === -1) {
    return errno() !== ECHILD;
  }
  return siginfoView.getInt32(16, true) === pid;
}

const statusBuffer = new Int32Array(1);

/** Result of {@linkcode reapChild}. */
export type ReapResult =
  | { state: "reaped"; status: number }
  | { state: "running" }
  | { state: "gone" };

/**
 * Reaps `pid` if it has exited (waitpid with WNOHANG): the raw wait status,
 * "running" when it has not exited, "gone" when it is not (or no longer) a
 * child of this process (ECHILD).
 */
export function reapChild(pid: number): ReapResult {
  statusBuffer[0] = 0;
  const result = lib("waitpid")(pid, new Uint8Array(statusBuffer.buffer), WNOHANG | __WALL);
  if (result === pid) return { state: "reaped", status: statusBuffer[0] };
  if (result === 0) return { state: "running" };
  const code = errno();
  if (code === ECHILD) return { state: "gone" };
  throw syscallError("waitpid", `Cannot reap process ${pid}`, code);
}

const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;

/** prctl(PR_SET_CHILD_SUBREAPER); throws a SyscallError on failure. */
export function setChildSubreaper(on: boolean): void {
  if (lib("prctl")(PR_SET_CHILD_SUBREAPER, on ? 1n : 0n, 0n, 0n, 0n) === -1) {
    throw syscallError("prctl", `Cannot ${on ? "set" : "clear"} the child subreaper attribute`);
  }
}

/** prctl(PR_GET_CHILD_SUBREAPER). */
export function getChildSubreaper(): boolean {
  const value = new Int32Array(1);
  if (
    lib("prctlPointer")(PR_GET_CHILD_SUBREAPER, new Uint8Array(value.buffer), 0n, 0n, 0n) === -1
  ) {
    throw syscallError("prctl", "Cannot read the child subreaper attribute");
  }
  return value[0] !== 0;
}

/** mount(2); throws a SyscallError naming the mount on failure. */
export function mount(
  source: string,
  target: string,
  fstype: string,
  flags: bigint,
  data: string | undefined,
): void {
  const result = lib("mount")(
    cString(source),
    cString(target),
    cString(fstype),
    flags,
    data === undefined ? null : cString(data),
  );
  if (result === -1) {
    throw syscallError("mount", `Cannot mount ${fstype} on ${JSON.stringify(target)}`);
  }
}

/** sync(2): flushes every filesystem. */
export function sync(): void {
  lib("sync")();
}

/**
 * reboot(2) with `command` (a LINUX_REBOOT_CMD_* value). Returns `undefined`
 * when the call succeeded (for the commands that return), the error otherwise.
 */
export function reboot(command: number, what: string): SyscallError | undefined {
  if (lib("reboot")(command) === 0) return undefined;
  return syscallError("reboot", what);
}
