// A third-party plugin in a folder of its own, outside this checkout, set up
// as the READMEs say, run by the bundled weft-init (dist/) as users run it.
import assert from "node:assert/strict";
import { createBusyboxBundle } from "@weft/runtime/testing";
import { missing } from "./_init_harness.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const decoder = new TextDecoder();

const PLUGIN = `import {
  detectBinary,
  InvalidArgumentError,
  OCI_CLI_OPTIONS_SCHEMA,
  OciCliRuntime,
  registerRuntime,
  type RuntimePluginOptions,
} from "@weft/runtime";

/** runc under another name, with a colour option it checks itself. */
function create(options: RuntimePluginOptions = {}): OciCliRuntime {
  const { colour, ...rest } = options;
  if (colour !== undefined && colour !== "red") {
    throw new InvalidArgumentError(\`Unknown colour "\${colour}"\`, { argument: "options.colour", value: colour });
  }
  return new OciCliRuntime({ ...rest, name: "outside-runc", binary: String(rest.binary ?? "runc") });
}

registerRuntime({
  name: "outside-runc",
  apiVersion: 1,
  optionsSchema: {
    type: "object",
    properties: {
      ...OCI_CLI_OPTIONS_SCHEMA.properties,
      colour: { type: "string", description: "Only red is known." },
    },
    additionalProperties: false,
  },
  create,
  detect: (options = {}) => detectBinary(String(options.binary ?? "runc")),
});
`;

async function run(
  args: string[],
  cwd: string,
): Promise<{ code: number; out: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  return { code, out: decoder.decode(stdout) + decoder.decode(stderr) };
}

Deno.test({
  name:
    "a plugin in its own folder outside the checkout runs under the bundled weft-init with dist/import_map.json",
  ignore: missing("runc", "child"),
  async fn(): Promise<void> {
    const top = await Deno.makeTempDir({ prefix: "weft-outside-" });
    assert.ok(!top.startsWith(ROOT), "the folder is outside the checkout");
    try {
      // What `deno task bundle` makes, in a dist of this test's own.
      const dist = `${top}/dist`;
      for (
        const [out, entry] of [["weft-init.js", "packages/init/main.ts"], [
          "weft-runtime.js",
          "packages/runtime/mod.ts",
        ]]
      ) {
        const built = await run(["bundle", "--output", `${dist}/${out}`, `${ROOT}${entry}`], ROOT);
        assert.equal(built.code, 0, built.out);
      }
      await Deno.copyFile(`${ROOT}scripts/import_map.dist.json`, `${dist}/import_map.json`);

      // The plugin's folder, with the deno.json the runtime README gives for developing it.
      const plugin = `${top}/my-plugin`;
      await Deno.mkdir(plugin);
      await Deno.writeTextFile(`${plugin}/mod.ts`, PLUGIN);
      await Deno.writeTextFile(
        `${plugin}/deno.json`,
        JSON.stringify({
          imports: {
            "@weft/runtime": `${ROOT}packages/runtime/mod.ts`,
            "@weft/runtime/testing": `${ROOT}packages/runtime/testing/mod.ts`,
            "@logtape/logtape": "npm:@logtape/logtape@^2.4.2",
          },
        }),
      );
      const checked = await run(["check", "mod.ts"], plugin);
      assert.equal(checked.code, 0, `deno check in the plugin's folder: ${checked.out}`);

      // A pod in a folder of its own that loads the plugin by path.
      const podDir = `${top}/pod`;
      await Deno.mkdir(podDir);
      await using bundle = await createBusyboxBundle({
        args: ["sh", "-c", "echo hello from outside"],
        parent: podDir,
      });
      const writePod = (options: Record<string, unknown>) =>
        Deno.writeTextFile(
          `${podDir}/pod.json`,
          JSON.stringify({
            runtime: {
              name: "outside-runc",
              plugins: ["../my-plugin/mod.ts"],
              root: `${top}/state`,
              options,
            },
            containers: [{ id: "outside-1", bundle: bundle.dir, restart: { policy: "never" } }],
            statusFile: `${top}/status.json`,
          }),
        );
      await writePod({});
      const init = ["run", "-A", "--import-map", `${dist}/import_map.json`, `${dist}/weft-init.js`];

      // Without the import map the plugin's import cannot resolve (as before this was documented).
      const bare = await run(["run", "-A", `${dist}/weft-init.js`, "--config", "pod.json"], podDir);
      assert.equal(bare.code, 3, bare.out);
      assert.match(bare.out, /"@weft\/runtime" not a dependency/);

      const ran = await run([...init, "--config", "pod.json"], podDir);
      assert.equal(ran.code, 0, ran.out);
      assert.match(ran.out, /\[outside-1\] hello from outside\n/);
      const status = JSON.parse(await Deno.readTextFile(`${top}/status.json`));
      assert.equal(status.pod.runtime, "outside-runc");

      // The plugin's InvalidArgumentError (its copy of @weft/runtime is not the
      // bundle's) is a configuration error naming the file and the field.
      await writePod({ colour: "blue" });
      const refused = await run([...init, "--config", "pod.json"], podDir);
      assert.equal(refused.code, 2, refused.out);
      assert.match(
        refused.out,
        /Invalid pod configuration "pod.json": runtime\.options\.colour: Unknown colour "blue"/,
      );
    } finally {
      await Deno.remove(top, { recursive: true }).catch(() => {});
    }
  },
});
