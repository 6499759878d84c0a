import assert from "node:assert/strict";
import { podExitCode } from "./exit_code.ts";

const finished = (code: number) =>
  `... weft.init: weft-init finished with exit code ${code}: powering off`;

Deno.test("the logged code wins when it agrees with the exit device modulo 128", () => {
  assert.deepEqual(podExitCode([finished(143)], ((143 << 1) | 1) & 0xff, false), { exitCode: 143 });
  assert.deepEqual(podExitCode([finished(3)], 7, false), { exitCode: 3 });
  // A line that disagrees with the device (a container printing it) is not believed.
  assert.deepEqual(podExitCode([finished(9)], 7, false), { exitCode: 3 });
  assert.deepEqual(podExitCode([], 1, false), { exitCode: 0 });
});

Deno.test("no code: a timeout, a panic, a silent power-off, a QEMU failure are told apart", () => {
  assert.match(podExitCode([], 124, true).problem!, /did not stop before the timeout/);
  const panic = "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100";
  assert.match(podExitCode([panic], 0, false).problem!, /guest kernel panicked: Kernel panic/);
  assert.match(podExitCode([], 0, false).problem!, /powered off without reporting/);
  assert.match(podExitCode([], 2, false).problem!, /QEMU failed with exit status 2/);
});
