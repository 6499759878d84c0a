import { getLogger } from "@logtape/logtape";
import { sync } from "./_libc.ts";
import { writeExitPort } from "./exit_port.ts";
import {
  DEFAULT_PSEUDO_FILESYSTEMS,
  mountPseudoFilesystems,
  NAMESPACE_PSEUDO_FILESYSTEMS,
} from "./mounts.ts";
import { disableCtrlAltDel, powerOff } from "./power.ts";

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

/**
 * Whether this process lives in the machine's first PID namespace, so that
 * PID 1 is the machine's init (not the init of a container or of
 * `unshare --pid`). True without /proc: only a machine's early init runs without it.
 *
 * @example
 * ```ts no-assert
 * import { inInitialPidNamespace } from "@weft/init/pid1";
 *
 * console.log(inInitialPidNamespace() ? "on the machine" : "in a PID namespace");
 * ```
 */
export function inInitialPidNamespace(): boolean {
  try {
    // The kernel gives the initial PID namespace this fixed inode (PROC_PID_INIT_INO).
    return Deno.readLinkSync("/proc/self/ns/pid") === "pid:[4026531836]";
  } catch {
    return true;
  }
}

/**
 * What PID 1 owes the runtime before anything runs: the pseudo filesystems
 * that are absent (never stacked), and on a machine (not inside a PID
 * namespace, where the cgroup tree belongs to whoever made it) the cgroup v2
 * controllers enabled for child cgroups, and Ctrl-Alt-Del turned into SIGINT.
 * Failures are logged: the init carries on.
 *
 * @example
 * ```ts ignore
 * import { isPid1, preparePid1 } from "@weft/init/pid1";
 *
 * if (isPid1()) preparePid1();
 * ```
 */
export function preparePid1(): void {
  const machine = inInitialPidNamespace();
  // mountPseudoFilesystems logs each mount and each failure itself.
  mountPseudoFilesystems({
    enableControllers: machine,
    filesystems: machine ? DEFAULT_PSEUDO_FILESYSTEMS : NAMESPACE_PSEUDO_FILESYSTEMS,
  });
  if (!machine) return;
  // Ctrl-Alt-Del then arrives as SIGINT: the same graceful stop, not an instant reboot.
  try {
    disableCtrlAltDel();
  } catch (error) {
    logger.warn("Ctrl-Alt-Del will reboot at once: {error}", { error });
  }
}

/**
 * Options of {@linkcode endInit}.
 *
 * @example
 * ```ts no-assert
 * import type { EndInitOptions } from "@weft/init/pid1";
 *
 * const options: EndInitOptions = { exitPort: 0xf4 };
 * console.log(options.exitPort);
 * ```
 */
export interface EndInitOptions {
  /** As a machine's PID 1: the I/O port the code's low byte is written to before powering off. */
  exitPort?: number;
}

/**
 * Ends the process with `code`: as PID 1 of a machine, sync and power off
 * (PID 1 must never exit: the kernel would panic), first writing the code to
 * `exitPort` if given; as PID 1 of a PID namespace, exit with the code, which
 * reboot(2) there would lose (the kernel ends such a namespace as if its init
 * were killed by SIGINT); else exit with the code.
 *
 * @example
 * ```ts ignore
 * import { endInit } from "@weft/init/pid1";
 *
 * await endInit(0, { exitPort: 0xf4 });
 * ```
 */
export async function endInit(code: number, options: EndInitOptions = {}): Promise<never> {
  if (isPid1() && inInitialPidNamespace()) {
    logger.info("weft-init finished with exit code {code}: powering off", { code });
    if (options.exitPort !== undefined) {
      // QEMU exits as soon as the port is written: sync first.
      sync();
      try {
        writeExitPort(code, { port: options.exitPort });
      } catch (error) {
        logger.error("Cannot write the exit code to I/O port {port}: {error}", {
          port: options.exitPort,
          error,
        });
      }
    }
    return await powerOff();
  }
  Deno.exit(code);
}
