/**
 * Whether KVM can be used: Firecracker and cloud-hypervisor need it, QEMU
 * runs without it (TCG). The probe opens `/dev/kvm` read-write and asks for
 * its API version, as those VMMs do first. It cannot see a KVM that opens
 * but fails to run guests (some nested hosts): then the VMM's own error
 * tells.
 *
 * @module
 */

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "u64"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
} as const;

const O_RDWR = 2;
const O_CLOEXEC = 0o2000000;
const KVM_GET_API_VERSION = 0xae00n;
/** The only API version Linux has had since 2.6.22. */
const KVM_API_VERSION = 12;

/**
 * Whether `/dev/kvm` (or `device`) is usable, and if not, why.
 *
 * @param device The KVM device. @default {"/dev/kvm"}
 * @returns `{ usable: true }`, or `{ usable: false, reason }` naming the device.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { probeKvm } from "@weft/vm";
 *
 * const probe = probeKvm("/nonexistent/kvm");
 * assert.equal(probe.usable, false);
 * assert.match(probe.reason ?? "", /Cannot open "\/nonexistent\/kvm" read-write/);
 * ```
 */
export function probeKvm(device = "/dev/kvm"): { usable: boolean; reason?: string } {
  const libc = Deno.dlopen("libc.so.6", SYMBOLS);
  try {
    const fd = libc.symbols.open(new TextEncoder().encode(`${device}\0`), O_RDWR | O_CLOEXEC);
    if (fd < 0) return { usable: false, reason: `Cannot open "${device}" read-write` };
    try {
      const version = libc.symbols.ioctl(fd, KVM_GET_API_VERSION, 0n);
      return version === KVM_API_VERSION
        ? { usable: true }
        : { usable: false, reason: `"${device}" answers KVM API version ${version}, not 12` };
    } finally {
      libc.symbols.close(fd);
    }
  } finally {
    libc.close();
  }
}
