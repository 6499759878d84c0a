/**
 * The pod's exit code, as the host learns it. QEMU's `isa-debug-exit`
 * device turns the byte B that weft-init writes to port 0xf4 into QEMU's
 * exit status `(B << 1) | 1`, truncated to 8 bits: B modulo 128. weft-init
 * also logs the whole code on the console just before it powers off
 * ("weft-init finished with exit code N: powering off", a log line of its
 * own); the two are read together, so a code above 127 (143 after TERM)
 * survives and a stray console line cannot fake one.
 *
 * @module
 */

/**
 * The byte the guest wrote to `isa-debug-exit`, from QEMU's exit status.
 *
 * @param status QEMU's exit status.
 * @returns B modulo 128, or `undefined` when the status is even (no write).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeExitStatus } from "@weft/vm";
 *
 * assert.equal(decodeExitStatus(33), 16);
 * assert.equal(decodeExitStatus(0), undefined);
 * ```
 */
export function decodeExitStatus(status: number): number | undefined {
  return status % 2 === 1 ? status >> 1 : undefined;
}

/**
 * Whether `timeout` killed the VMM: its status is 124 (TERM) or 137 (KILL
 * after the grace), and the run lasted the whole timeout. The status alone
 * cannot tell: a pod exiting with 68 makes QEMU exit with
 * `(68 << 1) | 1` = 137 on its own.
 *
 * @param status The exit status of `timeout VMM ...`.
 * @param elapsedMs How long it ran, measured from before it was spawned.
 * @param timeoutSeconds The timeout it was given.
 * @returns Whether the timeout fired.
 */
export function killedByTimeout(
  status: number,
  elapsedMs: number,
  timeoutSeconds: number,
): boolean {
  return (status === 124 || status === 137) && elapsedMs >= timeoutSeconds * 1000;
}

/**
 * weft-init's own log line, whole and alone on its line: a timestamp, the
 * level, its category, and a code of 0 to 255. Nothing else is believed,
 * with an exit device or without: a container's output reaches the console
 * prefixed with `[id] `, so it cannot forge the line, and a look-alike in the
 * middle of a line, or a number past 255, is no exit code.
 */
const FINISHED_LINE =
  /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO +weft\.init(?:\.pid1)?: weft-init finished with exit code (25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d): powering off$/;

/**
 * Options of {@linkcode podExitCode}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PodExitCodeOptions } from "@weft/vm";
 *
 * const options: PodExitCodeOptions = { exitDevice: false, vmm: "firecracker" };
 * assert.equal(options.exitDevice, false);
 * ```
 */
export interface PodExitCodeOptions {
  /**
   * Whether the VMM has QEMU's `isa-debug-exit`, so its status carries the
   * code's low byte. Without it (Firecracker, cloud-hypervisor) the code is
   * weft-init's last log line alone. @default {true}
   */
  exitDevice?: boolean;
  /** The VMM's name, for messages. @default {"QEMU"} */
  vmm?: string;
}

/**
 * The pod's exit code from a boot's console lines and the VMM's status.
 *
 * @param lines The serial console, line by line.
 * @param status The VMM's exit status.
 * @param timedOut Whether the VMM was killed by the timeout.
 * @param options Whether the VMM has an exit device, and its name.
 * @returns The code, or the reason there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { podExitCode } from "@weft/vm";
 *
 * const line = (code: number): string =>
 *   `2026-12-01T06:00:00.000Z INFO    weft.init.pid1: weft-init finished with exit code ${code}: powering off`;
 * assert.deepEqual(podExitCode([line(143)], (143 << 1 | 1) & 0xff, false), { exitCode: 143 });
 * assert.match(podExitCode([], 0, false).problem ?? "", /without reporting/);
 * assert.deepEqual(podExitCode([line(3)], 0, false, { exitDevice: false }), { exitCode: 3 });
 * ```
 */
export function podExitCode(
  lines: readonly string[],
  status: number,
  timedOut: boolean,
  options: PodExitCodeOptions = {},
): { exitCode?: number; problem?: string } {
  const vmm = options.vmm ?? "QEMU";
  if (timedOut) {
    return { problem: `the VM did not stop before the timeout: ${vmm} was killed` };
  }
  const exitDevice = options.exitDevice ?? true;
  // QEMU's own failure (an option refused, a forwarded port it cannot bind) is exit status 1,
  // as a guest's write of 0 is: a guest that printed nothing wrote nothing.
  const byte = exitDevice && lines.length > 0 ? decodeExitStatus(status) : undefined;
  const logged = lines.map((line) => line.match(FINISHED_LINE)?.[1]).findLast((c) =>
    c !== undefined
  );
  const code = logged === undefined ? undefined : Number(logged);
  if (byte !== undefined) {
    return { exitCode: code !== undefined && code % 128 === byte ? code : byte };
  }
  // Without an exit device, weft-init's line is the code, whatever followed it (on Firecracker,
  // which cannot power off, PID 1's exit after power-off panics the kernel into a reset).
  if (!exitDevice && code !== undefined) return { exitCode: code };
  const panic = lines.find((line) => line.includes("Kernel panic"));
  if (panic !== undefined) return { problem: `the guest kernel panicked: ${panic.trim()}` };
  return status === 0
    ? { problem: "the VM powered off without reporting a pod exit code" }
    : { problem: `${vmm} failed with exit status ${status}` };
}
