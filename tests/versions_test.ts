import assert from "node:assert/strict";

Deno.test("every package has the same version and weft-init reports it", async () => {
  const root = JSON.parse(await Deno.readTextFile("deno.json")) as { workspace: string[] };
  const versions = new Map<string, string>();
  for (const member of root.workspace) {
    const config = JSON.parse(await Deno.readTextFile(`${member}/deno.json`));
    versions.set(config.name, config.version);
  }
  const distinct = new Set(versions.values());
  assert.equal(
    distinct.size,
    1,
    `versions differ: ${JSON.stringify(Object.fromEntries(versions))}`,
  );
  const { stdout, code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "packages/init/main.ts", "--version"],
    stdout: "piped",
  }).output();
  assert.equal(code, 0);
  assert.equal(new TextDecoder().decode(stdout), `weft-init ${[...distinct][0]}\n`);
});
