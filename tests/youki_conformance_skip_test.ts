/**
 * What tests/youki_conformance_test.ts does when busybox is missing (it is
 * run with a PATH that has none, and a stand-in youki): in CI the file fails,
 * elsewhere its test is reported as NOT RUN, never as passed.
 */
import assert from "node:assert/strict";
import { YOUKI_BINARY_ENV } from "@weft/youki";

const TEST_FILE = new URL("./youki_conformance_test.ts", import.meta.url).pathname;

async function runWithoutBusybox(ci: boolean): Promise<{ code: number; output: string }> {
  const env = {
    PATH: "/nonexistent",
    NO_COLOR: "1",
    CI: ci ? "true" : "false",
    // Any executable file: the suite is never reached, and youki is not installable here.
    [YOUKI_BINARY_ENV]: Deno.execPath(),
  };
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", TEST_FILE],
    env,
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

Deno.test("without busybox the youki suite fails in CI, and elsewhere says it did NOT run", async () => {
  const ci = await runWithoutBusybox(true);
  assert.notEqual(ci.code, 0, ci.output);
  assert.match(
    ci.output,
    /busybox is not installed: the tests that need it did NOT run \(a failure in CI\)/,
  );

  const local = await runWithoutBusybox(false);
  assert.equal(local.code, 0, local.output);
  assert.match(local.output, /!!! SKIPPED: busybox is not installed/);
  assert.match(
    local.output,
    /youki conformance suite NOT RUN: busybox is not installed \.\.\. ignored/,
  );
  assert.doesNotMatch(local.output, /youki passes the runtime conformance suite/);
});
