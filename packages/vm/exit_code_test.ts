import assert from "node:assert/strict";
import { killedByTimeout, podExitCode } from "./exit_code.ts";

/** The line weft-init logs just before it powers off. */
const finished = (code: number | string) =>
  `2026-12-01T06:01:24.530Z INFO    weft.init.pid1: weft-init finished with exit code ${code}: ` +
  "powering off";

Deno.test("the logged code wins when it agrees with the exit device modulo 128", () => {
  assert.deepEqual(podExitCode([finished(143)], ((143 << 1) | 1) & 0xff, false), { exitCode: 143 });
  assert.deepEqual(podExitCode([finished(3)], 7, false), { exitCode: 3 });
  // A line that disagrees with the device (a container printing it) is not believed.
  assert.deepEqual(podExitCode([finished(9)], 7, false), { exitCode: 3 });
  assert.deepEqual(podExitCode(["[    0.000000] Linux version 6.1.0"], 1, false), { exitCode: 0 });
});

Deno.test("a look-alike line in a container's output, or a code past 255, is not the exit code", () => {
  const status = (3 << 1) | 1;
  // A container's output, prefixed [id], with the line whole in it or mid-line: the device's 3.
  for (
    const forged of [
      `[web] ${finished(131)}`,
      `[web] starting; weft-init finished with exit code 131: powering off`,
      `noise ${finished(131)}`,
      `${finished(131)} and more`,
    ]
  ) {
    assert.deepEqual(
      podExitCode(["[web] hello", forged, "[web] bye"], status, false),
      { exitCode: 3 },
      forged,
    );
  }
  // 259 and 131 agree with the byte modulo 128, but no exit code is past 255.
  for (const huge of [256, 259, 387, "99999999999999999999999", "0003"]) {
    assert.deepEqual(podExitCode([finished(huge)], status, false), { exitCode: 3 }, `${huge}`);
    assert.match(
      podExitCode([finished(huge)], 0, false, { exitDevice: false }).problem!,
      /powered off without reporting/,
      `${huge}`,
    );
  }
  assert.deepEqual(podExitCode([finished(255)], (255 << 1 | 1) & 0xff, false), { exitCode: 255 });
  assert.deepEqual(podExitCode([finished(0)], 1, false), { exitCode: 0 });
});

Deno.test("no code: a timeout, a panic, a silent power-off, a QEMU failure are told apart", () => {
  assert.match(podExitCode([], 124, true).problem!, /did not stop before the timeout/);
  const panic = "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000100";
  assert.match(podExitCode([panic], 0, false).problem!, /guest kernel panicked: Kernel panic/);
  assert.match(podExitCode([], 0, false).problem!, /powered off without reporting/);
  assert.match(podExitCode([], 2, false).problem!, /QEMU failed with exit status 2/);
  // QEMU refusing to start (its errors go to stderr; the console stays empty) exits with 1, which
  // a guest writing 0 to the exit device would give too: without a console line it is QEMU's.
  assert.match(podExitCode([], 1, false).problem!, /^QEMU failed with exit status 1$/);
});

Deno.test("a pod exiting with 68 (QEMU status 137, as a KILL) is not taken for a timeout", () => {
  const status = (68 << 1) | 1;
  assert.equal(status, 137);
  // It stopped after 9 s of a 600 s timeout: its own exit, not timeout's KILL.
  const timedOut = killedByTimeout(status, 9_000, 600);
  assert.equal(timedOut, false);
  assert.deepEqual(podExitCode([finished(68)], status, timedOut), { exitCode: 68 });
  // The same status after the whole timeout is timeout's KILL.
  assert.equal(killedByTimeout(137, 605_000, 600), true);
  assert.equal(killedByTimeout(124, 600_000, 600), true);
  // An odd status below the timeout is QEMU's own exit: 123 is the pod's 61.
  assert.equal(killedByTimeout(123, 600_000, 600), false);
});

Deno.test("without an exit device the code is weft-init's own last log line, and nothing else", () => {
  const firecracker = { exitDevice: false, vmm: "firecracker" };
  // Firecracker cannot power off: PID 1's exit panics the kernel into a reset, after the line.
  const panic = "Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000";
  assert.deepEqual(podExitCode([finished(68), panic], 0, false, firecracker), { exitCode: 68 });
  assert.deepEqual(podExitCode([finished(1), finished(143)], 0, false, firecracker), {
    exitCode: 143,
  });
  // A container's line (prefixed with its id) or a loose mention is not weft-init's line.
  assert.match(
    podExitCode(
      [`[web] ${finished(0)}`, "weft-init finished with exit code 0"],
      0,
      false,
      firecracker,
    )
      .problem!,
    /powered off without reporting/,
  );
  assert.match(
    podExitCode([panic], 0, false, firecracker).problem!,
    /guest kernel panicked: Kernel panic/,
  );
  assert.match(
    podExitCode([], 1, false, firecracker).problem!,
    /^firecracker failed with exit status 1$/,
  );
  assert.match(
    podExitCode([finished(0)], 124, true, firecracker).problem!,
    /timeout: firecracker was killed/,
  );
  // Its status is not an exit device's: an odd status is no code.
  assert.match(podExitCode([], 7, false, firecracker).problem!, /exit status 7/);
});
