import assert from "node:assert/strict";
import { InvalidArgumentError, validateBundleDir } from "./mod.ts";

Deno.test("a bundle directory is resolved to an absolute path when it holds config.json", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/config.json`, "{}");
    assert.equal(await validateBundleDir(dir), await Deno.realPath(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a bundle directory that is missing or has no config.json is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [unknown, string][] = [
      [`${dir}/nope`, `Invalid bundle directory "${dir}/nope": it does not exist`],
      [dir, `Invalid bundle directory "${dir}": it holds no config.json`],
      ["", 'Invalid bundle directory "": expected a non-empty path'],
      [7, "Invalid bundle directory 7: expected a non-empty path"],
      ["a\0b", 'Invalid bundle directory "a\\u0000b": must not contain a NUL byte'],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(validateBundleDir(input), (error) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.message, message);
        assert.equal(error.argument, "bundleDir");
        assert.equal(error.reason, message.slice(message.indexOf(": ") + 2));
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
