import assert from "node:assert/strict";
import type { BootResult } from "./boot.ts";
import { decodeExitStatus, judgeBoot } from "./verdict.ts";

function boot(code: number, lines: string[], timedOut = false): BootResult {
  return {
    code,
    timedOut,
    lines: lines.map((text, ms) => ({ ms, text })),
    stderr: code === 1 ? "" : "qemu-system-x86_64: cannot open kernel",
    ms: 10,
    append: "",
  };
}

const expect = { exitCode: 0, lines: ["VM-MARK up", /zombies=0$/] };

Deno.test("isa-debug-exit statuses decode to the byte the guest wrote", () => {
  assert.equal(decodeExitStatus(1), 0);
  assert.equal(decodeExitStatus(33), 16);
  assert.equal(decodeExitStatus(3), 1);
  assert.equal(decodeExitStatus(0), undefined);
  assert.equal(decodeExitStatus(2), undefined);
});

Deno.test("a boot with the expected code and lines and no panic passes", () => {
  const verdict = judgeBoot(boot(1, ["[web] VM-MARK up", "VM-MARK zombies=0"]), expect);
  assert.deepEqual(verdict, {
    pass: true,
    reportedExitCode: 0,
    problems: [],
    message: "VM verdict: PASS",
  });
});

Deno.test("a boot that reports another pod exit code fails and names both codes", () => {
  const verdict = judgeBoot(boot(3, ["VM-MARK up", "zombies=0"]), expect);
  assert.equal(verdict.pass, false);
  assert.equal(
    verdict.message,
    "VM verdict: FAIL: the init reported pod exit code 1 through isa-debug-exit " +
      "(QEMU exit status 3), expected 0",
  );
});

Deno.test("a kernel panic fails the verdict even when QEMU exits cleanly", () => {
  const lines = ["VM-MARK up", "zombies=0", "Kernel panic - not syncing: Attempted to kill init!"];
  const verdict = judgeBoot(boot(0, lines), expect);
  assert.deepEqual(verdict.problems, [
    "the VM stopped without writing its pod exit code to isa-debug-exit",
    'the serial console shows "Kernel panic - not syncing: Attempted to kill init!"',
  ]);
});

Deno.test("a timeout, a QEMU error and missing lines are each named", () => {
  assert.deepEqual(judgeBoot(boot(124, ["VM-MARK up"], true), expect).problems, [
    "QEMU did not exit before the timeout: the init never powered the VM off",
    "the serial console lacks the line /zombies=0$/",
  ]);
  assert.deepEqual(judgeBoot(boot(2, []), expect).problems, [
    "QEMU failed with exit status 2: qemu-system-x86_64: cannot open kernel",
    'the serial console lacks the line "VM-MARK up"',
    "the serial console lacks the line /zombies=0$/",
  ]);
});
