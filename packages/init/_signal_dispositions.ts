// Signals 32 to 64 through FFI: Deno's listeners cover only the named
// signals 1-31, and the default action of every other one ends a process
// (PID 1 of a namespace excepted). The library is opened on first use.

import {
  GLIBC_SIGNALS,
  handlerOf,
  readKernelSigaction,
  SIG_IGN,
  writeKernelSigaction,
} from "@weft/runtime/kernel-sigaction";

const SYMBOLS = {
  dlsym: { parameters: ["pointer", "buffer"], result: "pointer" },
  sigaction: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  __libc_current_sigrtmin: { parameters: [], result: "i32" },
  __libc_current_sigrtmax: { parameters: [], result: "i32" },
} as const;

const SA_RESTART = 0x10000000;
/** glibc's struct sigaction on x86-64 and aarch64 alike: handler, 128-byte mask, flags, restorer. */
const SIGACTION_SIZE = 152;
const SIGACTION_FLAGS = 136;

let done = false;

/**
 * Gives signals 32 to 64 handlers that do nothing, so that none can end the
 * init, while an exec still resets them to their defaults (SIG_IGN would be
 * inherited by every runtime and container).
 *
 * - 34 to 64 (SIGRTMIN..SIGRTMAX): glibc's `sigaction` with `getpid` as the
 *   handler: a libc function that ignores its argument and is safe in a
 *   signal handler (a JS callback is not).
 * - 32 and 33 are glibc's own, and its `sigaction` refuses them. 33 usually
 *   has glibc's handler already, which ignores any sender but this
 *   process's own threads; 32 gets the same, copied through the raw system
 *   call (the kernel's restorer comes with it). Without it, both get the
 *   no-op of SIGRTMIN the same way.
 */
export function keepRealtimeSignalsHarmless(): void {
  if (done) return;
  const libc = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  const noop = libc.dlsym(null, new TextEncoder().encode("getpid\0"));
  if (noop === null) throw new Error("Cannot find getpid in libc");
  const action = new Uint8Array(SIGACTION_SIZE);
  const view = new DataView(action.buffer);
  view.setBigUint64(0, BigInt(Deno.UnsafePointer.value(noop)), true);
  view.setInt32(SIGACTION_FLAGS, SA_RESTART, true);
  const min = libc.__libc_current_sigrtmin();
  const max = libc.__libc_current_sigrtmax();
  for (let signal = min; signal <= max; signal++) {
    if (libc.sigaction(signal, action, null) !== 0) {
      throw new Error(`Cannot set a handler for signal ${signal}`);
    }
  }
  // The kernel's view of these actions, which the raw call takes as is.
  const [cancel, setxid] = GLIBC_SIGNALS;
  const glibc = readKernelSigaction(setxid);
  if (handlerOf(glibc) > SIG_IGN) {
    // glibc has its handler on 33 (neither SIG_DFL nor SIG_IGN): give it 32 too.
    writeKernelSigaction(cancel, glibc);
  } else {
    const harmless = readKernelSigaction(min);
    writeKernelSigaction(cancel, harmless);
    writeKernelSigaction(setxid, harmless);
  }
  done = true;
}
