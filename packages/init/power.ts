import { getLogger } from "@logtape/logtape";
import { reboot, sync } from "./_libc.ts";
import { isPid1 } from "./pid1.ts";

const logger = getLogger(["weft", "init", "power"]);

/** LINUX_REBOOT_CMD_* values of reboot(2), by action. */
const COMMANDS = {
  "power-off": 0x4321fedc,
  reboot: 0x01234567,
  halt: 0xcdef0123 | 0,
} as const;

const CAD_OFF = 0;

/**
 * Options of {@linkcode powerOff}.
 *
 * @example
 * ```ts ignore
 * import { powerOff, type PowerOffOptions } from "@weft/init/power";
 *
 * // As PID 1: sync and reboot the machine instead of powering it off.
 * const options: PowerOffOptions = { action: "reboot" };
 * await powerOff(options);
 * ```
 */
export interface PowerOffOptions {
  /**
   * What reboot(2) is asked to do. In a PID namespace other than the
   * initial one, the kernel instead ends the namespace: its init dies and
   * its parent sees it killed by SIGINT ("power-off", "halt") or SIGHUP ("reboot").
   * @default {"power-off"}
   */
  action?: "power-off" | "reboot" | "halt";
}

/**
 * Ends the machine (or the PID namespace) the way a PID 1 must: `sync()`,
 * then `reboot(2)`. It never returns: if reboot(2) fails, the error is
 * logged and the promise stays pending while a timer keeps the process
 * alive, because PID 1 exiting makes the kernel panic.
 *
 * @param options See {@linkcode PowerOffOptions}.
 * @returns Never resolves.
 * @throws {Error} At once, doing nothing, when this process is not PID 1:
 * a normal process should exit with its exit code instead (and this guard
 * keeps a test run on a host from powering the host off).
 *
 * @example
 * ```ts ignore
 * import { isPid1 } from "@weft/init/pid1";
 * import { powerOff } from "@weft/init/power";
 *
 * if (isPid1()) await powerOff();
 * else Deno.exit(0);
 * ```
 */
export function powerOff(options: PowerOffOptions = {}): Promise<never> {
  const action = options.action ?? "power-off";
  const command = COMMANDS[action];
  if (command === undefined) {
    throw new TypeError(
      `Invalid action ${JSON.stringify(action)}: expected "power-off", "reboot" or "halt"`,
    );
  }
  if (!isPid1()) {
    throw new Error(
      `Cannot ${action}: this process is not PID 1 (pid ${Deno.pid}); exit instead`,
    );
  }
  logger.info("Syncing filesystems, then {action}", { action });
  sync();
  const error = reboot(command, `Cannot ${action}`);
  logger.fatal("reboot(2) failed: staying alive, as PID 1 must never exit: {error}", { error });
  return new Promise<never>(() => {
    setInterval(() => {}, 2 ** 30);
  });
}

/**
 * Makes Ctrl-Alt-Del send SIGINT to PID 1 instead of rebooting the machine
 * at once (`reboot(LINUX_REBOOT_CMD_CAD_OFF)`), so that it starts the same
 * graceful stop as SIGINT does. Only for the PID 1 of a machine: inside a
 * PID namespace the kernel refuses it (EINVAL).
 *
 * @throws {Error} When this process is not PID 1 (the setting is machine-wide).
 * @throws {SyscallError} When the kernel refuses.
 *
 * @example
 * ```ts ignore
 * import { isPid1 } from "@weft/init/pid1";
 * import { disableCtrlAltDel } from "@weft/init/power";
 *
 * if (isPid1()) disableCtrlAltDel();
 * ```
 */
export function disableCtrlAltDel(): void {
  if (!isPid1()) {
    throw new Error(
      `Cannot route Ctrl-Alt-Del to SIGINT: this process is not PID 1 (pid ${Deno.pid})`,
    );
  }
  const error = reboot(CAD_OFF, "Cannot route Ctrl-Alt-Del to SIGINT");
  if (error !== undefined) throw error;
}
