import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "./config.ts";
import { preflight } from "./preflight.ts";

Deno.test("preflight names a bad bundle by its JSON path, with the runtime's reason alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = parseConfig({
      containers: [{ id: "a", bundle: `${dir}/nope` }, { id: "b", bundle: dir }],
    });
    await assert.rejects(preflight(config), (error: Error) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(
        error.message,
        new RegExp(
          `containers\\[0\\]\\.bundle: expected an OCI bundle directory holding config\\.json, got "${dir}/nope": it does not exist`,
        ),
      );
      assert.match(error.message, /containers\[1\]\.bundle: .*: it holds no config\.json/);
      assert.doesNotMatch(error.message, /Invalid bundle directory/);
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("preflight names a plugin path that is not a module file by its JSON path", async () => {
  const config = parseConfig({
    runtime: { name: "runc", plugins: ["/dev/zero"] },
    containers: [{ id: "a", bundle: "/b" }],
  });
  // The bundle is checked first: give it a real one.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/config.json`, "{}");
    config.containers[0].bundle = dir;
    await assert.rejects(preflight(config), (error: Error) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(
        error.message,
        /runtime\.plugins\[0\]: Invalid plugin "\/dev\/zero": expected a module file, but it is not a regular file/,
      );
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
