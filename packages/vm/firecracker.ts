/**
 * Booting an image with Firecracker: one JSON configuration file
 * (`--config-file`) built from the image's manifest, and its API socket
 * (`--api-sock`) through which the host presses Ctrl-Alt-Del. Firecracker
 * has no `isa-debug-exit`: the pod's exit code comes from weft-init's last
 * console line (see {@linkcode podExitCode}).
 *
 * @module
 */
import type { GuestSpec } from "./guest_spec.ts";

/**
 * Kernel parameters Firecracker's guests need: it resets the machine through
 * the keyboard controller (`reboot=k`, which makes Firecracker exit) and has
 * no PCI bus to scan.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FIRECRACKER_APPEND } from "@weft/vm";
 *
 * assert.ok(FIRECRACKER_APPEND.includes("reboot=k"));
 * ```
 */
export const FIRECRACKER_APPEND: readonly string[] = ["reboot=k", "pci=off"];

/**
 * Firecracker's configuration file for a guest: `boot-source` (kernel,
 * initrd, boot arguments), one `drives` entry per disk (read-write: they are
 * per-boot copies), `machine-config`, and a logger writing to `logPath`.
 * The serial console (`ttyS0`) is Firecracker's stdout.
 *
 * @param guest What to boot.
 * @param logPath Where Firecracker writes its own log (an existing file).
 * @returns The configuration, ready for `JSON.stringify`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firecrackerConfig } from "@weft/vm";
 *
 * const config = firecrackerConfig({
 *   kernel: "/img/vmlinux",
 *   initrd: "/img/initrd.cpio",
 *   disks: ["/run/vm/system.ext4"],
 *   append: "console=ttyS0 reboot=k -- /init.js",
 *   memoryMib: 512,
 * }, "/run/vm/firecracker.log");
 * assert.equal(config["boot-source"].initrd_path, "/img/initrd.cpio");
 * assert.equal(config.drives[0].drive_id, "disk0");
 * assert.equal(config["machine-config"].mem_size_mib, 512);
 * ```
 */
export function firecrackerConfig(guest: GuestSpec, logPath: string): {
  "boot-source": { kernel_image_path: string; initrd_path: string; boot_args: string };
  drives: {
    drive_id: string;
    path_on_host: string;
    is_root_device: boolean;
    is_read_only: boolean;
  }[];
  "machine-config": { vcpu_count: number; mem_size_mib: number; smt: boolean };
  logger: { log_path: string; level: string };
} {
  return {
    "boot-source": {
      kernel_image_path: guest.kernel,
      initrd_path: guest.initrd,
      boot_args: guest.append,
    },
    // The initramfs mounts the disks itself: none is Firecracker's root device.
    drives: guest.disks.map((path, i) => ({
      drive_id: `disk${i}`,
      path_on_host: path,
      is_root_device: false,
      is_read_only: false,
    })),
    "machine-config": { vcpu_count: 1, mem_size_mib: guest.memoryMib, smt: false },
    logger: { log_path: logPath, level: "Warning" },
  };
}

/**
 * The argv of `firecracker` (without the program name).
 *
 * @param apiSocket The API socket's path (must not exist yet).
 * @param configFile The file holding {@linkcode firecrackerConfig}'s JSON.
 * @returns The arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firecrackerArgs } from "@weft/vm";
 *
 * assert.deepEqual(firecrackerArgs("/run/fc.sock", "/run/fc.json"), [
 *   "--api-sock",
 *   "/run/fc.sock",
 *   "--config-file",
 *   "/run/fc.json",
 * ]);
 * ```
 */
export function firecrackerArgs(apiSocket: string, configFile: string): string[] {
  return ["--api-sock", apiSocket, "--config-file", configFile];
}

/**
 * The API request that presses Ctrl-Alt-Del in the guest (its i8042
 * keyboard), which the kernel hands to weft-init as SIGINT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FIRECRACKER_CTRL_ALT_DEL } from "@weft/vm";
 *
 * assert.equal(FIRECRACKER_CTRL_ALT_DEL.path, "/actions");
 * ```
 */
export const FIRECRACKER_CTRL_ALT_DEL: { method: "PUT"; path: string; body: string } = {
  method: "PUT",
  path: "/actions",
  body: JSON.stringify({ action_type: "SendCtrlAltDel" }),
};
