import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { EARLY_INIT_SCRIPT } from "./early_init.ts";

const busybox = await requireBinary("busybox");

Deno.test({
  name: "the early init's fail ends the script even when poweroff does not stop the machine",
  ignore: busybox === undefined,
  fn: async () => {
    const fail = EARLY_INIT_SCRIPT.split("\n").find((line) => line.startsWith("fail() {"));
    assert.ok(fail !== undefined, "the script defines fail()");
    // Outside a VM: poweroff and sleep do nothing, and the message goes to stderr, not the console.
    const script = [
      "poweroff() { echo poweroff-called; }",
      "sleep() { :; }",
      fail.replace(">/dev/console", ">&2"),
      'false || fail "cannot mount /nowhere"',
      "echo fell-through",
    ].join("\n");
    const out = await new Deno.Command(busybox!, { args: ["sh", "-c", script] }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(stdout, "poweroff-called\n");
    assert.match(
      new TextDecoder().decode(out.stderr),
      /weft-vm early init: cannot mount \/nowhere/,
    );
    assert.equal(out.code, 1);
  },
});
