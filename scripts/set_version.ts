/**
 * Sets the version of every workspace package at once: the packages are
 * released together, so their versions are kept equal (tests/versions_test.ts
 * checks it) and weft-init reports its package's version.
 *
 * Run: deno task version 0.2.0
 */
const version = Deno.args[0];
if (!version || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
  throw new TypeError(`Invalid version ${JSON.stringify(version)}: expected semver like "0.2.0"`);
}
const root = JSON.parse(await Deno.readTextFile("deno.json")) as { workspace: string[] };
for (const member of root.workspace) {
  const file = `${member}/deno.json`;
  const config = JSON.parse(await Deno.readTextFile(file));
  config.version = version;
  await Deno.writeTextFile(file, `${JSON.stringify(config, null, 2)}\n`);
}
