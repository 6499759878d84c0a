/**
 * End to end: the bundled init (`deno task bundle`) is the literal PID 1 of
 * a QEMU micro-VM (TCG, Debian's kernel, an initramfs with deno, crun, runc
 * and busybox bundles). It runs a pod, powers the VM off itself, and reports
 * the pod's exit code through isa-debug-exit. Each boot takes seconds; the
 * initramfs is cached under .tools/vm/ per inputs. Run alone with
 * `deno test -A tests/vm_boot_test.ts`, or boot one scenario with
 * `deno run -A tests/vm/run.ts --scenario pod-crun --verbose`.
 */
import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { bootScenario, type ScenarioRun } from "./vm/boot_scenario.ts";
import { bundleInit } from "./vm/init_bundle.ts";
import { bundleImage, type Image } from "./vm/scenarios.ts";

// In CI a missing qemu or cpio throws here, failing the file instead of skipping it.
const qemu = await requireBinary("qemu-system-x86_64");
const cpio = await requireBinary("cpio");
const ignore = qemu === undefined || cpio === undefined;

/**
 * Generous: a boot takes 15-30 s under TCG on an idle machine, and was seen
 * taking 80 s while other test runs loaded both cores (load average 33).
 */
const TIMEOUT_SECONDS = 240;

let image: Promise<Image> | undefined;

async function boot(name: string): Promise<ScenarioRun> {
  image ??= bundleInit().then(bundleImage);
  return await bootScenario(await image, name, { timeoutSeconds: TIMEOUT_SECONDS });
}

function explain(result: ScenarioRun): string {
  const tail = result.boot.lines.slice(-40).map((l) => `  ${l.ms} | ${l.text}`).join("\n");
  return `${result.verdict.message}\nserial log: ${result.logPath}\nlast lines:\n${tail}`;
}

function report(name: string, result: ScenarioRun): void {
  // deno-lint-ignore no-console
  console.log(
    `${name}: boot to first container running ${result.firstRunningMs} ms under TCG ` +
      `(whole boot ${result.boot.ms} ms; initramfs ${
        result.initramfs.cached ? "cached" : `built in ${result.initramfs.buildMs} ms`
      })`,
  );
}

for (const runtime of ["crun", "runc"]) {
  Deno.test({
    name: `the bundled init as PID 1 of a micro-VM runs a pod on ${runtime} and powers off cleanly`,
    ignore,
    async fn(): Promise<void> {
      const result = await boot(`pod-${runtime}`);
      assert.ok(result.verdict.pass, explain(result));
      assert.equal(result.verdict.reportedExitCode, 0);
      assert.ok(result.firstRunningMs !== undefined);
      report(`pod-${runtime}`, result);
    },
  });
}

Deno.test({
  name: "a pod whose only container cannot start makes the VM verdict fail with a clear message",
  ignore,
  async fn(): Promise<void> {
    const result = await boot("broken");
    assert.equal(result.verdict.pass, false, `the broken pod passed:\n${explain(result)}`);
    // The init ran and reported the failure itself: not a timeout, panic or crash.
    assert.ok(!result.boot.timedOut, explain(result));
    assert.ok(
      result.verdict.reportedExitCode !== undefined && result.verdict.reportedExitCode !== 0,
      explain(result),
    );
    assert.match(
      result.verdict.message,
      /^VM verdict: FAIL: the init reported pod exit code [1-9]\d* through isa-debug-exit/,
    );
    assert.match(result.verdict.message, /lacks the line "VM-MARK web running"/);
    assert.doesNotMatch(result.verdict.message, /Kernel panic/);
    // The init said why, with the runtime's own message.
    const failed = result.boot.lines.find((l) => l.text.includes("Cannot create container"));
    assert.match(failed?.text ?? "", /missing-binary.*\/no\/such\/binary/, explain(result));
  },
});
