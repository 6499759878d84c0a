import { deepStrictEqual, ok } from "node:assert/strict";
import { INIT_BUNDLE_OPTIONS, INIT_V8_FLAGS, initRunOptions } from "./run_options.ts";

// The tasks are JSON and cannot import the constants: they must say the same.
const tasks = JSON.parse(
  await Deno.readTextFile(new URL("../../deno.json", import.meta.url)),
).tasks as Record<string, { command: string }>;

Deno.test("deno task bundle builds weft-init with INIT_BUNDLE_OPTIONS", () => {
  const command = tasks.bundle.command;
  ok(
    command.includes(`deno bundle ${INIT_BUNDLE_OPTIONS.join(" ")} --output dist/weft-init.js`),
    command,
  );
});

Deno.test("deno task compile bakes in the V8 flags weft-init runs with", () => {
  const command = tasks.compile.command;
  ok(command.includes(`--v8-flags=${INIT_V8_FLAGS.join(",")} `), command);
  ok(command.includes("deno task bundle && "), "the binary is made of the tested bundle");
});

Deno.test("initRunOptions: -A and the V8 flags, a new array each time", () => {
  deepStrictEqual(initRunOptions(), ["-A", "--v8-flags=--lite-mode,--max-semi-space-size=1"]);
  initRunOptions().push("--changed");
  deepStrictEqual(initRunOptions().length, 2);
});
