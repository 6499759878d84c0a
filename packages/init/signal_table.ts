import { getLogger } from "@logtape/logtape";
import { SIGRTMIN } from "@weft/runtime";
import { GLIBC_SIGNALS } from "@weft/runtime/kernel-sigaction";
import { keepRealtimeSignalsHarmless } from "./_signal_dispositions.ts";

const logger = getLogger(["weft", "init", "signals"]);

/**
 * What weft-init does with a signal it receives:
 * - `stop`: stops the pod gracefully (TERM, INT, PWR);
 * - `forward`: sends it to the init of every running container;
 * - `reap`: collects exited children (CHLD);
 * - `ignore`: keeps it from stopping or ending the init, and does nothing else;
 * - `fault`: Deno's own fault handlers keep it (it may refuse a listener);
 *   a fault signal sent with kill(2) can end the init like any process;
 * - `uncatchable`: KILL and STOP, which no process can handle.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SignalAction } from "@weft/init";
 *
 * const action: SignalAction = "forward";
 * assert.equal(action, "forward");
 * ```
 */
export type SignalAction = "stop" | "forward" | "reap" | "ignore" | "fault" | "uncatchable";

/**
 * One row of {@linkcode SIGNAL_TABLE}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SignalEntry } from "@weft/init";
 *
 * const quit: SignalEntry = { signal: 3, name: "SIGQUIT", action: "forward", why: "a container's own" };
 * assert.equal(quit.action, "forward");
 * ```
 */
export interface SignalEntry {
  /** The signal's number on Linux x86-64 (the first of a range for real-time signals). */
  signal: number;
  /** Its name (`"SIGRTMIN..SIGRTMAX"` for the range from `SIGRTMIN` of `@weft/runtime`, 34-64). */
  name: string;
  /** What the init does with it. */
  action: SignalAction;
  /** Why. */
  why: string;
}

const FORWARDED = "meant for the workload: each container's init decides";

/**
 * What weft-init does with every signal, 1 to 64, as PID 1 and as a
 * subreaper child alike. The rule, after tini and dumb-init: forward
 * whatever a process can be asked to do, handle the few an init must, and
 * never let a signal stop the init, end it with its containers left running,
 * or vanish unlogged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGNAL_TABLE } from "@weft/init";
 *
 * const quit = SIGNAL_TABLE.find((entry) => entry.name === "SIGQUIT");
 * assert.equal(quit?.action, "forward");
 * ```
 */
export const SIGNAL_TABLE: readonly SignalEntry[] = [
  { signal: 1, name: "SIGHUP", action: "forward", why: FORWARDED + " (often: reload)" },
  { signal: 2, name: "SIGINT", action: "stop", why: "Ctrl-C, and Ctrl-Alt-Del on a machine" },
  { signal: 3, name: "SIGQUIT", action: "forward", why: FORWARDED + " (often: dump and quit)" },
  { signal: 4, name: "SIGILL", action: "fault", why: "Deno refuses a listener" },
  { signal: 5, name: "SIGTRAP", action: "forward", why: FORWARDED },
  { signal: 6, name: "SIGABRT", action: "forward", why: FORWARDED + "; abort() still ends Deno" },
  { signal: 7, name: "SIGBUS", action: "fault", why: "Deno's handler re-raises it" },
  { signal: 8, name: "SIGFPE", action: "fault", why: "Deno refuses a listener" },
  { signal: 9, name: "SIGKILL", action: "uncatchable", why: "the kernel's" },
  { signal: 10, name: "SIGUSR1", action: "forward", why: FORWARDED },
  { signal: 11, name: "SIGSEGV", action: "fault", why: "Deno refuses a listener" },
  { signal: 12, name: "SIGUSR2", action: "forward", why: FORWARDED },
  { signal: 13, name: "SIGPIPE", action: "ignore", why: "Deno ignores it: writes fail instead" },
  { signal: 14, name: "SIGALRM", action: "forward", why: FORWARDED },
  { signal: 15, name: "SIGTERM", action: "stop", why: "the request to stop" },
  { signal: 16, name: "SIGSTKFLT", action: "forward", why: FORWARDED },
  { signal: 17, name: "SIGCHLD", action: "reap", why: "the reaper's" },
  { signal: 18, name: "SIGCONT", action: "forward", why: FORWARDED },
  { signal: 19, name: "SIGSTOP", action: "uncatchable", why: "the kernel's" },
  { signal: 20, name: "SIGTSTP", action: "ignore", why: "a stopped init stops reaping" },
  { signal: 21, name: "SIGTTIN", action: "ignore", why: "a stopped init stops reaping" },
  { signal: 22, name: "SIGTTOU", action: "ignore", why: "a stopped init stops reaping" },
  { signal: 23, name: "SIGURG", action: "forward", why: FORWARDED },
  { signal: 24, name: "SIGXCPU", action: "forward", why: FORWARDED },
  { signal: 25, name: "SIGXFSZ", action: "forward", why: FORWARDED },
  { signal: 26, name: "SIGVTALRM", action: "forward", why: FORWARDED },
  { signal: 27, name: "SIGPROF", action: "forward", why: FORWARDED },
  { signal: 28, name: "SIGWINCH", action: "forward", why: FORWARDED },
  { signal: 29, name: "SIGIO", action: "forward", why: FORWARDED },
  { signal: 30, name: "SIGPWR", action: "stop", why: "power failure; LXC's halt signal" },
  { signal: 31, name: "SIGSYS", action: "forward", why: FORWARDED },
  ...GLIBC_SIGNALS.map((signal) => ({
    signal,
    name: `${signal} (glibc)`,
    action: "ignore" as const,
    why: "glibc's own; caught, ignored",
  })),
  {
    signal: SIGRTMIN,
    name: "SIGRTMIN..SIGRTMAX",
    action: "ignore",
    why: "Deno cannot listen to them: caught by a no-op so they cannot end the init",
  },
];

/**
 * What {@linkcode listenToSignals} calls.
 *
 * @example
 * ```ts no-assert
 * import type { SignalHandlers } from "@weft/init";
 *
 * const handlers: SignalHandlers = { stop: () => {}, forward: () => {} };
 * ```
 */
export interface SignalHandlers {
  /** A `stop` signal arrived. */
  stop(signal: Deno.Signal): void;
  /** A `forward` signal arrived. */
  forward(signal: Deno.Signal): void;
}

/**
 * Installs the {@linkcode SIGNAL_TABLE}: a listener for every `stop`,
 * `forward` and `ignore` signal Deno can listen to (each one logged), and a
 * no-op handler for signals 32 to 64, which Deno cannot listen to and whose
 * default action would end the init when it is not PID 1. A handler, unlike
 * SIG_IGN, is reset by exec: the runtimes and containers still start with
 * every signal at its default. SIGCHLD is the reaper's.
 *
 * @returns A handle whose disposal removes the listeners (the no-op
 * handlers of 32 to 64 stay, for the process's life).
 *
 * @example
 * ```ts ignore
 * import { listenToSignals } from "@weft/init";
 *
 * using _signals = listenToSignals({
 *   stop: (signal) => console.log("stop on", signal),
 *   forward: (signal) => console.log("forward", signal),
 * });
 * ```
 */
export function listenToSignals(handlers: SignalHandlers): Disposable {
  try {
    keepRealtimeSignalsHarmless();
  } catch (error) {
    logger.warn("Signals 32 to 64 can end the init: {error}", { error });
  }
  const listeners: [Deno.Signal, () => void][] = [];
  for (const { name, action } of SIGNAL_TABLE) {
    if (!name.startsWith("SIG") || name === "SIGPIPE" || name === "SIGRTMIN..SIGRTMAX") continue;
    const signal = name as Deno.Signal;
    let listener: () => void;
    if (action === "stop") listener = () => handlers.stop(signal);
    else if (action === "forward") listener = () => handlers.forward(signal);
    else if (action === "ignore") {
      listener = () => logger.info("Ignored {signal}", { signal });
    } else continue;
    Deno.addSignalListener(signal, listener);
    listeners.push([signal, listener]);
  }
  return {
    [Symbol.dispose](): void {
      for (const [signal, listener] of listeners.splice(0)) {
        Deno.removeSignalListener(signal, listener);
      }
    },
  };
}
