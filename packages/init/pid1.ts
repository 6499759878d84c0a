import { getLogger } from "@logtape/logtape";

const logger = getLogger(["weft", "init", "pid1"]);

/**
 * Whether this process is PID 1 of its PID namespace: the init of a VM, or
 * of a container / `unshare --pid --fork` namespace. (`Deno.pid` is the
 * kernel's `getpid()`, which is namespace-relative.)
 *
 * @returns `true` when this process is PID 1.
 *
 * @example
 * ```ts no-assert
 * import { isPid1 } from "@weft/init/pid1";
 *
 * if (!isPid1()) console.log("running as a normal process");
 * ```
 */
export function isPid1(): boolean {
  return Deno.pid === 1;
}

const STOP_SIGNALS = ["SIGTSTP", "SIGTTIN", "SIGTTOU"] as const;

/**
 * Keeps this process from being stopped by SIGTSTP, SIGTTIN and SIGTTOU (a
 * terminal's Ctrl-Z, or background I/O on a terminal): a stopped init would
 * stop reaping and supervising. It installs a listener for each, which
 * replaces the default "stop" action; each signal received is logged at
 * debug level. SIGSTOP cannot be caught and still stops the process.
 *
 * @returns A handle whose disposal restores the default actions.
 *
 * @example
 * ```ts no-assert
 * import { ignoreStopSignals } from "@weft/init/pid1";
 *
 * using _guard = ignoreStopSignals();
 * ```
 */
export function ignoreStopSignals(): Disposable {
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => logger.debug("Ignored {signal}", { signal });
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  return {
    [Symbol.dispose](): void {
      for (const [signal, listener] of listeners.splice(0)) {
        Deno.removeSignalListener(signal, listener);
      }
    },
  };
}
