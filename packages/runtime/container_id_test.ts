import assert from "node:assert/strict";
import {
  CONTAINER_ID_PATTERN,
  InvalidArgumentError,
  MAX_CONTAINER_ID_LENGTH,
  validateContainerId,
} from "./mod.ts";

Deno.test("container ids in runc's charset are accepted", () => {
  for (const id of ["web", "web-1", "a.b_c+d", "A9", "x".repeat(MAX_CONTAINER_ID_LENGTH)]) {
    assert.equal(validateContainerId(id), id);
  }
});

Deno.test("container ids that could act as flags or paths are refused with the rule they break", () => {
  const charset = 'may hold only letters, digits, "_", ".", "+" and "-"';
  const cases: [unknown, string][] = [
    ["-rf", 'Invalid container id "-rf": must not start with "-"'],
    ["--root=/x", 'Invalid container id "--root=/x": must not start with "-"'],
    ["../x", 'Invalid container id "../x": must not be "." or contain ".."'],
    ["..", 'Invalid container id "..": must not be "." or contain ".."'],
    [".", 'Invalid container id ".": must not be "." or contain ".."'],
    ["a/b", `Invalid container id "a/b": ${charset}`],
    ["", 'Invalid container id "": must not be empty'],
    ["a\0b", `Invalid container id "a\\u0000b": ${charset}`],
    ["a b", `Invalid container id "a b": ${charset}`],
    [
      "x".repeat(1000),
      `Invalid container id "${"x".repeat(1000)}": must be at most 255 characters, got 1000`,
    ],
    [42, "Invalid container id 42: expected a string, got number"],
  ];
  for (const [id, message] of cases) {
    assert.throws(() => validateContainerId(id), (error) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(error.message, message);
      assert.equal(error.argument, "id");
      assert.equal(error.value, id);
      return true;
    });
  }
});

Deno.test("CONTAINER_ID_PATTERN accepts exactly the ids validateContainerId accepts", () => {
  const pattern = new RegExp(CONTAINER_ID_PATTERN);
  const ids = [
    "web",
    "a.b",
    "a+b_c-d",
    "-a",
    "a-",
    ".",
    "..",
    "a..b",
    ".a",
    "a.",
    "a/b",
    "",
    "a b",
  ];
  ids.push("x".repeat(255), "x".repeat(256), "\u00e9");
  for (const id of ids) {
    let valid = true;
    try {
      validateContainerId(id);
    } catch {
      valid = false;
    }
    assert.equal(pattern.test(id), valid, JSON.stringify(id));
  }
});
