// deno-lint-ignore-file no-console
/**
 * `weft-vm run --vmm firecracker` and `--vmm cloud-hypervisor` on the
 * example pod, a real boot each, whenever the VMM's binary is in PATH and
 * /dev/kvm is usable (both need KVM).
 *
 * Neither VMM can be installed on the machines this project is built and
 * tested on (Debian 12 packages neither; no network but Debian's and npm's),
 * CI included. So, as tests/youki_conformance_test.ts does for youki, a
 * missing one is said loudly: a banner on stderr and a test, marked
 * ignored, whose name says it did NOT run. It never passes silently. The
 * argv, config and exit-line logic is unit-tested in packages/vm.
 */
import assert from "node:assert/strict";
import { findBinary } from "@weft/runtime";
import { probeKvm, VMM_BINARIES } from "@weft/vm";
import { oneVmAtATime } from "./vm/boot_scenario.ts";
import { command } from "./vm/weft_vm_command.ts";
const kvm = probeKvm();

for (const vmm of ["firecracker", "cloud-hypervisor"] as const) {
  const binary = await findBinary(VMM_BINARIES[vmm]);
  const missing = [
    ...(binary === undefined ? [`${vmm} not installed (no "${VMM_BINARIES[vmm]}" in PATH)`] : []),
    ...(kvm.usable ? [] : [`no /dev/kvm (${kvm.reason})`]),
  ];
  if (missing.length > 0) {
    console.error(
      [
        "",
        "!".repeat(78),
        `!!! weft-vm run --vmm ${vmm} NOT RUN: ${missing.join(" / ")}.`,
        "!!! It cannot be installed here (Debian 12 does not package it). Its argv, config",
        "!!! and exit-line tests in packages/vm ran; a real boot with it did not.",
        `!!! To run it: put ${VMM_BINARIES[vmm]} in PATH on a machine with a usable /dev/kvm.`,
        "!".repeat(78),
        "",
      ].join("\n"),
    );
  }
  Deno.test({
    name: missing.length > 0
      ? `weft-vm run --vmm ${vmm} NOT RUN: ${missing.join(" / ")}`
      : `weft-vm run --vmm ${vmm} boots the example pod and exits with its code`,
    ignore: missing.length > 0,
    async fn(): Promise<void> {
      const deno = (args: string[]) => command(["deno", ...args]).output();
      const bundles = await deno(["run", "-A", "examples/pod/build_bundles.ts"]);
      assert.equal(bundles.code, 0, new TextDecoder().decode(bundles.stderr));
      const result = await oneVmAtATime(() =>
        deno(["task", "vm", "run", "examples/pod/pod.json", "--vmm", vmm, "--timeout", "300"])
      );
      const stdout = new TextDecoder().decode(result.stdout);
      const explain = `${stdout}\n${new TextDecoder().decode(result.stderr)}`;
      assert.equal(result.code, 0, explain);
      assert.match(stdout, /\[demo-web\] web: finished/, explain);
      assert.match(stdout, /weft-init finished with exit code 0: powering off/, explain);
    },
  });
}
