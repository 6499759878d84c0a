/**
 * End to end: the bundled init is the literal PID 1 of a QEMU micro-VM
 * built by @weft/vm (TCG, Debian's kernel, ext4 system and pod disks). It
 * sets the machine up (lo, hostname, open files, entropy), runs a pod,
 * powers the VM off itself and reports the pod's exit code. Each boot
 * prints its per-phase timeline. Images are cached under .tools/vm/ by
 * content hash. Run alone with `deno test -A tests/vm_boot_test.ts`, or
 * boot one scenario with `deno run -A tests/vm/run.ts --scenario pod-crun --verbose`.
 */
import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { formatTimeline } from "@weft/vm";
import { bootScenario, type ScenarioRun } from "./vm/boot_scenario.ts";
import { bundleInit } from "./vm/init_bundle.ts";
import { machinePod } from "./vm/scenarios.ts";

// In CI a missing tool throws here, failing the file instead of skipping it.
const tools = await Promise.all(
  ["qemu-system-x86_64", "cpio", "mke2fs", "apt-get"].map((name) => requireBinary(name)),
);
const ignore = tools.includes(undefined);

let init: Promise<string> | undefined;

function explain(result: ScenarioRun): string {
  const tail = result.boot.lines.slice(-40).map((l) => `  ${l.ms} | ${l.text}`).join("\n");
  return `${result.verdict.message}\nserial log: ${result.logPath}\nlast lines:\n${tail}`;
}

for (const runtime of ["crun", "runc"] as const) {
  Deno.test({
    name:
      `the bundled init as PID 1 of a micro-VM sets the machine up and runs a pod on ${runtime}`,
    ignore,
    async fn(): Promise<void> {
      init ??= bundleInit();
      const result = await bootScenario(machinePod(runtime), { init: await init });
      assert.ok(result.verdict.pass, explain(result));
      assert.equal(result.boot.exitCode, 0);
      assert.ok(result.timeline.some((p) => p.name === "first container running"));
      // deno-lint-ignore no-console
      console.log(
        `pod-${runtime} boot timeline (ms since QEMU started; image ${
          result.image.cached ? "cached" : `built in ${result.image.buildMs} ms`
        }):\n${formatTimeline(result.timeline)}`,
      );
    },
  });
}
