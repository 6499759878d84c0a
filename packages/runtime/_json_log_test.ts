import assert from "node:assert/strict";
import { lastJsonLogError } from "./_json_log.ts";

Deno.test("the last error entry of a JSON log is the runtime's message", () => {
  const log = [
    '{"level":"error","msg":"first","time":"t"}',
    '{"level":"warning","msg":"a warning"}',
    "not json at all",
    '{"msg":"container is on fire","level":"error","time":"t"}',
    '{"level":"info","msg":"later info"}',
    "",
  ].join("\n");
  assert.equal(lastJsonLogError(log), "container is on fire");
});

Deno.test("youki's JSON log (upper-case level, message field) is understood", () => {
  const log =
    '{"timestamp":"t","level":"ERROR","message":"container abc does not exist.","target":"youki"}\n';
  assert.equal(lastJsonLogError(log), "container abc does not exist.");
});

Deno.test("a log without errors gives no message", () => {
  assert.equal(
    lastJsonLogError('{"level":"info","msg":"x"}\n[1,2]\n{"level":"error"}\n'),
    undefined,
  );
  assert.equal(lastJsonLogError(""), undefined);
});
