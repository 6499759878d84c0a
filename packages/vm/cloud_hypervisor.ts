/**
 * Booting an image with cloud-hypervisor: its argv, built from the image's
 * manifest, and its API socket, through which the host presses the ACPI
 * power button (what `ch-remote --api-socket S power-button` sends).
 * cloud-hypervisor has no `isa-debug-exit`: the pod's exit code comes from
 * weft-init's last console line (see {@linkcode podExitCode}).
 *
 * @module
 */
import type { GuestSpec } from "./guest_spec.ts";

/** cloud-hypervisor splits option values on commas: a path with one cannot be given. */
function optionPath(what: string, path: string): string {
  if (path.includes(",")) {
    throw new RangeError(
      `Invalid ${what} path "${path}": cloud-hypervisor cannot take a path with a comma`,
    );
  }
  return path;
}

/**
 * The argv of `cloud-hypervisor` (without the program name): kernel,
 * initramfs, the disks (read-write: they are per-boot copies), the kernel
 * command line, one vCPU, the memory, the serial console on the terminal
 * (stdout) and no virtio console, and the API socket.
 *
 * @param guest What to boot.
 * @param apiSocket The API socket's path.
 * @returns The arguments.
 * @throws {RangeError} For a path with a comma.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cloudHypervisorArgs } from "@weft/vm";
 *
 * const args = cloudHypervisorArgs({
 *   kernel: "/img/vmlinux",
 *   initrd: "/img/initrd.cpio",
 *   disks: ["/run/vm/system.ext4", "/run/vm/pod.ext4"],
 *   append: "console=ttyS0 -- /init.js",
 *   memoryMib: 512,
 * }, "/run/vm/ch.sock");
 * assert.deepEqual(args.slice(args.indexOf("--disk"), args.indexOf("--disk") + 3), [
 *   "--disk",
 *   "path=/run/vm/system.ext4",
 *   "path=/run/vm/pod.ext4",
 * ]);
 * assert.equal(args[args.indexOf("--memory") + 1], "size=512M");
 * ```
 */
export function cloudHypervisorArgs(guest: GuestSpec, apiSocket: string): string[] {
  const disks = guest.disks.map((disk) => `path=${optionPath("disk", disk)}`);
  return [
    "--kernel",
    optionPath("kernel", guest.kernel),
    "--initramfs",
    optionPath("initramfs", guest.initrd),
    "--cmdline",
    guest.append,
    ...(disks.length > 0 ? ["--disk", ...disks] : []),
    "--cpus",
    "boot=1",
    "--memory",
    `size=${guest.memoryMib}M`,
    "--serial",
    "tty",
    "--console",
    "off",
    "--api-socket",
    `path=${optionPath("API socket", apiSocket)}`,
  ];
}

/**
 * The API request that presses the guest's ACPI power button.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CLOUD_HYPERVISOR_POWER_BUTTON } from "@weft/vm";
 *
 * assert.equal(CLOUD_HYPERVISOR_POWER_BUTTON.path, "/api/v1/vm.power-button");
 * ```
 */
export const CLOUD_HYPERVISOR_POWER_BUTTON: { method: "PUT"; path: string; body: string } = {
  method: "PUT",
  path: "/api/v1/vm.power-button",
  body: "",
};
