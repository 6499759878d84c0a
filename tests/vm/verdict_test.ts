import assert from "node:assert/strict";
import type { BootResult } from "@weft/vm";
import { judgeBoot } from "./verdict.ts";

function boot(exitCode: number | undefined, lines: string[], problem?: string): BootResult {
  return {
    exitCode,
    problem,
    vmm: { vmm: "qemu", binary: "/usr/bin/qemu-system-x86_64", reason: "asked for" },
    vmmStatus: exitCode === undefined ? 0 : (exitCode << 1) | 1,
    timedOut: false,
    lines: lines.map((text, ms) => ({ ms, text })),
    stderr: "",
    ms: 10,
    append: "",
  };
}

const expect = { exitCode: 0, lines: ["VM-MARK up", /zombies=0$/] };

Deno.test("a boot with the expected code and lines and no panic passes", () => {
  const verdict = judgeBoot(boot(0, ["[web] VM-MARK up", "VM-MARK zombies=0"]), expect);
  assert.deepEqual(verdict, { pass: true, problems: [], message: "VM verdict: PASS" });
});

Deno.test("a boot that reports another pod exit code fails and names both codes", () => {
  const verdict = judgeBoot(boot(1, ["VM-MARK up", "zombies=0"]), expect);
  assert.equal(verdict.pass, false);
  assert.equal(verdict.message, "VM verdict: FAIL: the init reported pod exit code 1, expected 0");
});

Deno.test("a kernel panic fails the verdict even when QEMU exits cleanly", () => {
  const lines = ["VM-MARK up", "zombies=0", "Kernel panic - not syncing: Attempted to kill init!"];
  const verdict = judgeBoot(boot(undefined, lines, "the guest kernel panicked"), expect);
  assert.deepEqual(verdict.problems, [
    "no pod exit code: the guest kernel panicked",
    'the serial console shows "Kernel panic - not syncing: Attempted to kill init!"',
  ]);
});

Deno.test("missing lines are each named", () => {
  assert.deepEqual(judgeBoot(boot(0, []), expect).problems, [
    'the serial console lacks the line "VM-MARK up"',
    "the serial console lacks the line /zombies=0$/",
  ]);
});
