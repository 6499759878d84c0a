import assert from "node:assert/strict";
import { parseListOutput, parseVersionOutput } from "./oci_cli_output.ts";

Deno.test("version output gives name, version, commit and spec", () => {
  const version = parseVersionOutput(
    "runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\n",
  );
  assert.deepEqual(
    version && [version.name, version.version, version.commit, version.spec],
    ["runc", "1.1.5+ds1", "1.1.5+ds1-1+deb12u1", "1.0.2-dev"],
  );
});

Deno.test("version output without a '<name> version X' first line is refused", () => {
  assert.equal(parseVersionOutput("1.8.1\n"), undefined);
  assert.equal(parseVersionOutput(""), undefined);
});

Deno.test("list output null and an empty pretty array both mean no containers", () => {
  assert.deepEqual(parseListOutput("null"), []);
  assert.deepEqual(parseListOutput("[\n\n]\n"), []);
});

Deno.test("list entries keep the pid only while the container is alive", () => {
  const list = parseListOutput(
    '[{"id":"a","pid":5,"status":"running","bundle":"/b","created":"t"},{"id":"b","pid":7,"status":"stopped"}]',
  );
  assert.deepEqual(list?.map((c) => [c.id, c.status, c.pid, c.bundle, c.created]), [
    ["a", "running", 5, "/b", "t"],
    ["b", "stopped", 0, undefined, undefined],
  ]);
});

Deno.test("list output that is not a list of containers is refused", () => {
  assert.equal(parseListOutput("garbage"), undefined);
  assert.equal(parseListOutput('{"id":"a"}'), undefined);
  assert.equal(parseListOutput('[{"id":"a","status":"exploded"}]'), undefined);
  assert.equal(parseListOutput("[1]"), undefined);
});
