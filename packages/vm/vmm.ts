/**
 * Which virtual machine monitor boots an image: QEMU (always usable, under
 * TCG), or Firecracker or cloud-hypervisor, which need KVM. `auto` takes
 * Firecracker, then cloud-hypervisor, when its binary is in PATH and
 * `/dev/kvm` is usable, else QEMU, and says why.
 *
 * @module
 */
import { findBinary } from "@weft/runtime";
import { probeKvm } from "./kvm.ts";

/**
 * A virtual machine monitor weft-vm can boot an image with.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VMM_NAMES, type VmmName } from "@weft/vm";
 *
 * const vmm: VmmName = "firecracker";
 * assert.ok(VMM_NAMES.includes(vmm));
 * ```
 */
export type VmmName = "qemu" | "cloud-hypervisor" | "firecracker";

/**
 * Every {@linkcode VmmName}, QEMU first (the default).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VMM_NAMES } from "@weft/vm";
 *
 * assert.deepEqual(VMM_NAMES, ["qemu", "cloud-hypervisor", "firecracker"]);
 * ```
 */
export const VMM_NAMES: readonly VmmName[] = ["qemu", "cloud-hypervisor", "firecracker"];

/**
 * The program of each VMM.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { VMM_BINARIES } from "@weft/vm";
 *
 * assert.equal(VMM_BINARIES.qemu, "qemu-system-x86_64");
 * ```
 */
export const VMM_BINARIES: Readonly<Record<VmmName, string>> = {
  qemu: "qemu-system-x86_64",
  "cloud-hypervisor": "cloud-hypervisor",
  firecracker: "firecracker",
};

/** The Debian package or the upstream release that provides each VMM. */
const WHERE: Readonly<Record<VmmName, string>> = {
  qemu: "install qemu-system-x86",
  "cloud-hypervisor": "install it from its GitHub releases; Debian 12 does not package it",
  firecracker: "install it from its GitHub releases; Debian does not package it",
};

/**
 * The VMM chosen, its binary, and why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VmmChoice } from "@weft/vm";
 *
 * const choice: VmmChoice = { vmm: "qemu", binary: "/usr/bin/qemu-system-x86_64", reason: "asked for" };
 * assert.equal(choice.vmm, "qemu");
 * ```
 */
export interface VmmChoice {
  /** The VMM. */
  vmm: VmmName;
  /** Its binary, found in PATH. */
  binary: string;
  /** Why it was chosen, as a sentence fragment. */
  reason: string;
}

/**
 * Options of {@linkcode selectVmm}; the probes are replaceable for tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SelectVmmOptions } from "@weft/vm";
 *
 * const options: SelectVmmOptions = { needsUserNet: true, kvm: () => ({ usable: true }) };
 * assert.ok(options.needsUserNet);
 * ```
 */
export interface SelectVmmOptions {
  /** The boot wants QEMU's user-mode network (`--net user`, `--control-port`). @default {false} */
  needsUserNet?: boolean;
  /** Finds a binary in PATH. @default {findBinary of @weft/runtime} */
  find?: (name: string) => Promise<string | undefined>;
  /** Probes KVM. @default {probeKvm} */
  kvm?: () => { usable: boolean; reason?: string };
}

/**
 * Resolves `--vmm`: checks that the VMM asked for can run here, or picks one
 * for `auto`.
 *
 * @param requested A VMM, or `auto`.
 * @param options What the boot needs, and the probes.
 * @returns The choice.
 * @throws {TypeError} For an unknown name.
 * @throws {Error} When the VMM asked for is missing, lacks KVM, or cannot
 *   give what the boot needs, naming which.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectVmm } from "@weft/vm";
 *
 * const choice = await selectVmm("auto", {
 *   find: (name) => Promise.resolve(name === "firecracker" ? undefined : `/usr/bin/${name}`),
 *   kvm: () => ({ usable: true }),
 * });
 * assert.equal(choice.vmm, "cloud-hypervisor");
 * assert.match(choice.reason, /firecracker is not in PATH/);
 * ```
 */
export async function selectVmm(
  requested: string,
  options: SelectVmmOptions = {},
): Promise<VmmChoice> {
  const find = options.find ?? ((name: string) => findBinary(name));
  const kvm = options.kvm ?? (() => probeKvm());
  if (requested !== "auto" && !(VMM_NAMES as readonly string[]).includes(requested)) {
    throw new TypeError(`Invalid vmm "${requested}": expected ${VMM_NAMES.join(", ")} or auto`);
  }
  const auto = requested === "auto";
  if (!auto && requested !== "qemu" && options.needsUserNet) {
    throw new Error(
      `Cannot boot with ${requested}: --net user and --control-port are QEMU's user-mode network ` +
        "(use --vmm qemu)",
    );
  }
  // The KVM VMMs to try, in order: the one asked for, or auto's preference
  // (none when the boot needs QEMU's user-mode network); QEMU comes after.
  const candidates: readonly VmmName[] = auto
    ? (options.needsUserNet ? [] : ["firecracker", "cloud-hypervisor"])
    : requested === "qemu"
    ? []
    : [requested as VmmName];
  const passedOver: string[] = [];
  for (const vmm of candidates) {
    const binary = await find(VMM_BINARIES[vmm]);
    const probe = binary === undefined ? undefined : kvm();
    if (binary !== undefined && probe?.usable) {
      const why = passedOver.length > 0 ? ` (${passedOver.join("; ")})` : "";
      const reason = auto ? `auto: ${binary}, and /dev/kvm is usable${why}` : "asked for";
      return { vmm, binary, reason };
    }
    if (!auto) {
      throw new Error(
        `Cannot boot with ${vmm}: ${
          probe === undefined
            ? `"${VMM_BINARIES[vmm]}" is not in PATH (${WHERE[vmm]})`
            : `it needs KVM: ${probe.reason}`
        }`,
      );
    }
    passedOver.push(
      probe === undefined ? `${vmm} is not in PATH` : `${vmm} needs KVM: ${probe.reason}`,
    );
  }
  const binary = await find(VMM_BINARIES.qemu);
  if (binary === undefined) {
    throw new Error(`Cannot boot with qemu: "${VMM_BINARIES.qemu}" is not in PATH (${WHERE.qemu})`);
  }
  const reason = !auto
    ? "asked for"
    : options.needsUserNet
    ? "auto: the user-mode network is QEMU's"
    : `auto: ${passedOver.join("; ")}`;
  return { vmm: "qemu", binary, reason };
}
