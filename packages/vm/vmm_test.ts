import assert from "node:assert/strict";
import { selectVmm, type SelectVmmOptions } from "./vmm.ts";

/** Probes of a machine where `installed` are in /usr/bin and KVM is `kvm`. */
function machine(installed: string[], kvm: boolean): SelectVmmOptions {
  return {
    find: (name: string) =>
      Promise.resolve(installed.includes(name) ? `/usr/bin/${name}` : undefined),
    kvm: () =>
      kvm ? { usable: true } : { usable: false, reason: 'Cannot open "/dev/kvm" read-write' },
  };
}

const ALL = ["qemu-system-x86_64", "firecracker", "cloud-hypervisor"];

Deno.test("auto takes firecracker, then cloud-hypervisor, only with KVM, else qemu, saying why", async () => {
  const fc = await selectVmm("auto", machine(ALL, true));
  assert.deepEqual([fc.vmm, fc.binary], ["firecracker", "/usr/bin/firecracker"]);
  assert.match(fc.reason, /^auto: \/usr\/bin\/firecracker, and \/dev\/kvm is usable$/);
  const ch = await selectVmm("auto", machine(["qemu-system-x86_64", "cloud-hypervisor"], true));
  assert.equal(ch.vmm, "cloud-hypervisor");
  assert.match(ch.reason, /\(firecracker is not in PATH\)/);
  const noKvm = await selectVmm("auto", machine(ALL, false));
  assert.equal(noKvm.vmm, "qemu");
  assert.equal(
    noKvm.reason,
    'auto: firecracker needs KVM: Cannot open "/dev/kvm" read-write; ' +
      'cloud-hypervisor needs KVM: Cannot open "/dev/kvm" read-write',
  );
  const none = await selectVmm("auto", machine(["qemu-system-x86_64"], true));
  assert.equal(none.reason, "auto: firecracker is not in PATH; cloud-hypervisor is not in PATH");
  // QEMU's user-mode network (--net user, --control-port) keeps auto on qemu.
  const net = await selectVmm("auto", { ...machine(ALL, true), needsUserNet: true });
  assert.equal(net.vmm, "qemu");
});

Deno.test("a VMM asked for by name must be installed, have KVM, and give what the boot needs", async () => {
  assert.equal((await selectVmm("qemu", machine(ALL, false))).vmm, "qemu");
  await assert.rejects(
    () => selectVmm("qemu", machine([], true)),
    /Cannot boot with qemu: "qemu-system-x86_64" is not in PATH \(install qemu-system-x86\)/,
  );
  await assert.rejects(
    () => selectVmm("firecracker", machine(["qemu-system-x86_64"], true)),
    /Cannot boot with firecracker: "firecracker" is not in PATH/,
  );
  await assert.rejects(
    () => selectVmm("cloud-hypervisor", machine(ALL, false)),
    /Cannot boot with cloud-hypervisor: it needs KVM: Cannot open "\/dev\/kvm" read-write/,
  );
  await assert.rejects(
    () => selectVmm("firecracker", { ...machine(ALL, true), needsUserNet: true }),
    /Cannot boot with firecracker: --net user and --control-port are QEMU's/,
  );
  await assert.rejects(
    () => selectVmm("kvmtool", machine(ALL, true)),
    (error: Error) =>
      error instanceof TypeError &&
      error.message ===
        'Invalid vmm "kvmtool": expected qemu, cloud-hypervisor, firecracker or auto',
  );
  const fc = await selectVmm("firecracker", machine(ALL, true));
  assert.deepEqual(fc, { vmm: "firecracker", binary: "/usr/bin/firecracker", reason: "asked for" });
});

Deno.test("QEMU asked for, as auto's fallback or missing, and a KVM VMM asked for, each with its reason or error", async () => {
  // Asked for, even with the user-mode network and the other VMMs usable: no probe decides.
  assert.deepEqual(await selectVmm("qemu", { ...machine(ALL, true), needsUserNet: true }), {
    vmm: "qemu",
    binary: "/usr/bin/qemu-system-x86_64",
    reason: "asked for",
  });
  const net = await selectVmm("auto", { ...machine(ALL, true), needsUserNet: true });
  assert.deepEqual(net, {
    vmm: "qemu",
    binary: "/usr/bin/qemu-system-x86_64",
    reason: "auto: the user-mode network is QEMU's",
  });
  // auto with nothing usable and no QEMU: QEMU's own error, as when it is asked for.
  for (
    const [requested, options] of [["auto", machine(["firecracker"], false)], ["auto", {
      ...machine(ALL.slice(1), true),
      needsUserNet: true,
    }]] as const
  ) {
    await assert.rejects(
      () => selectVmm(requested, options),
      (error: Error) =>
        error.message ===
          'Cannot boot with qemu: "qemu-system-x86_64" is not in PATH (install qemu-system-x86)',
    );
  }
  const ch = await selectVmm("cloud-hypervisor", machine(["cloud-hypervisor"], true));
  assert.deepEqual(ch, {
    vmm: "cloud-hypervisor",
    binary: "/usr/bin/cloud-hypervisor",
    reason: "asked for",
  });
  // A KVM VMM asked for is checked in order: the network, then its binary, then KVM.
  await assert.rejects(
    () => selectVmm("cloud-hypervisor", { ...machine([], false), needsUserNet: true }),
    /--net user and --control-port are QEMU's user-mode network \(use --vmm qemu\)$/,
  );
  await assert.rejects(
    () => selectVmm("cloud-hypervisor", machine([], false)),
    (error: Error) =>
      error.message ===
        'Cannot boot with cloud-hypervisor: "cloud-hypervisor" is not in PATH ' +
          "(install it from its GitHub releases; Debian 12 does not package it)",
  );
  // auto's reason lists what was passed over before the VMM it took.
  const fcNoKvm = await selectVmm("auto", {
    find: machine(ALL, true).find,
    kvm: (() => {
      let calls = 0;
      return () => ++calls === 1 ? { usable: false, reason: "busy" } : { usable: true };
    })(),
  });
  assert.deepEqual(fcNoKvm, {
    vmm: "cloud-hypervisor",
    binary: "/usr/bin/cloud-hypervisor",
    reason: "auto: /usr/bin/cloud-hypervisor, and /dev/kvm is usable (firecracker needs KVM: busy)",
  });
});
