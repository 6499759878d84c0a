// Acceptance 12 and 13: every way the configuration or the runtime can be
// wrong ends the init with a message naming the cause; the runtime is chosen
// by one field of the pod file, and "auto" picks one that is installed.
import { deepStrictEqual, ok as assert, strictEqual as assertEquals } from "node:assert/strict";
import { findBinary } from "@weft/runtime";
import { label, missing, PodDir, podTest, runInit, startInit } from "./_init_harness.ts";

interface Case {
  name: string;
  document: string;
  code: number;
  message: (file: string) => string;
}

const CASES: Case[] = [
  {
    name: "a missing runtime binary",
    document: JSON.stringify({
      runtime: { name: "runc", binary: "/nonexistent/runc" },
      containers: [{ id: "a", bundle: "BUNDLE" }],
    }),
    code: 3,
    message: () => 'Runtime "runc" is not available: binary "/nonexistent/runc" not found',
  },
  {
    name: "an unknown runtime name",
    document: JSON.stringify({
      runtime: { name: "nope" },
      containers: [{ id: "a", bundle: "BUNDLE" }],
    }),
    code: 3,
    message: () => 'Unknown runtime "nope": registered runtimes are "crun", "runc", "youki"',
  },
  {
    name: "a runtime option the plugin refuses",
    document: JSON.stringify({
      runtime: { name: "runc", options: { rootless: "sometimes" } },
      containers: [{ id: "a", bundle: "BUNDLE" }],
    }),
    code: 2,
    message: (file) =>
      `Invalid pod configuration "${file}": runtime.options.rootless: Invalid option rootless "sometimes": expected one of true, false, "auto"`,
  },
  {
    name: "malformed JSON",
    document: '{"containers": [',
    code: 2,
    message: (file) => `Cannot parse pod configuration "${file}": Unexpected end of JSON input`,
  },
  {
    name: "wrong field types",
    document: JSON.stringify({
      containers: [{
        id: 5,
        bundle: "BUNDLE",
        stop: { grace: "10s" },
        restart: { policy: "sometimes" },
      }],
      pod: { stopGrace: -1 },
    }),
    code: 2,
    message: (file) =>
      [
        `Invalid pod configuration "${file}":`,
        "  containers[0].id: expected a string, got 5",
        '  containers[0].restart.policy: expected one of "never", "on-failure", "always", got "sometimes"',
        '  containers[0].stop.grace: expected a number, got "10s"',
        "  pod.stopGrace: expected at least 0, got -1",
      ].join("\n"),
  },
  {
    name: "unknown fields",
    document: JSON.stringify({
      containers: [{ id: "a", bundle: "BUNDLE", restrat: {} }],
      extra: true,
    }),
    code: 2,
    message: (file) =>
      [
        `Invalid pod configuration "${file}":`,
        '  containers[0].restrat: unknown field (expected one of "id", "bundle", "rootfs", "process", "hostname", "mounts", "resources", "readonlyRootfs", "imageConfig", "privileged", "seccomp", "rlimits", "userNamespace", "shareNamespacesWith", "shareNamespaces", "restart", "stop", "stdio", "dependsOn")',
        '  extra: unknown field (expected one of "$schema", "runtime", "containers", "pod", "control", "machine", "statusFile")',
      ].join("\n"),
  },
  {
    name: "a dependency cycle",
    document: JSON.stringify({
      containers: [{ id: "a", bundle: "BUNDLE", dependsOn: ["b"] }, {
        id: "b",
        bundle: "BUNDLE",
        dependsOn: ["a"],
      }],
    }),
    code: 2,
    message: (file) =>
      `Invalid pod configuration "${file}": containers[0].dependsOn: dependency cycle "a" -> "b" -> "a"`,
  },
];

for (const { name, document, code, message } of CASES) {
  podTest(`${name} ends the init with a message naming the cause`, async ({ pod, mode }) => {
    // A real bundle directory: the preflight checks bundles before the runtime.
    await Deno.mkdir(`${pod.dir}/b`);
    await Deno.writeTextFile(`${pod.dir}/b/config.json`, "{}");
    await Deno.writeTextFile(pod.configFile, document.replaceAll('"BUNDLE"', `"${pod.dir}/b"`));
    const result = await runInit(["--config", pod.configFile], mode);
    // As PID 1 the init may log the pseudo filesystems it mounted first.
    const logLine = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T\S+ (INFO|WARNING) +weft\.init\.mounts: /;
    const lines = result.stderr.split("\n").filter((line) => !logLine.test(line));
    assertEquals(lines.join("\n"), `weft-init: ${message(pod.configFile)}\n`);
    assertEquals(result.code, code);
    assertEquals(result.stdout, "");
    deepStrictEqual(await pod.rootEntries(), []);
  }, { runtimes: ["runc"] });
}

Deno.test("validate checks a file without running it, and schema prints the JSON Schema", async (): Promise<void> => {
  await using pod = await PodDir.create();
  await Deno.mkdir(`${pod.dir}/b`);
  await Deno.writeTextFile(`${pod.dir}/b/config.json`, "{}");
  await Deno.writeTextFile(
    pod.configFile,
    JSON.stringify({
      runtime: { name: "runc", root: pod.root },
      containers: [{ id: "a", bundle: `${pod.dir}/b` }],
    }),
  );
  const valid = await runInit(["validate", pod.configFile]);
  const runc = await findBinary("runc");
  assertEquals(
    valid.stdout,
    `${pod.configFile}: valid, 1 container(s), runtime runc (${runc}), state root ${pod.root}\n`,
  );
  assertEquals(valid.code, 0);
  await Deno.writeTextFile(pod.configFile, JSON.stringify({ containers: [] }));
  const invalid = await runInit(["validate", pod.configFile]);
  assertEquals(
    invalid.stderr,
    `weft-init: Invalid pod configuration "${pod.configFile}": containers: expected at least 1 item\n`,
  );
  assertEquals(invalid.code, 2);
  const schema = await runInit(["schema"]);
  assertEquals(schema.code, 0);
  const parsed = JSON.parse(schema.stdout);
  assertEquals(parsed.$schema, "https://json-schema.org/draft/2020-12/schema");
  assertEquals(parsed.additionalProperties, false);
  const restart = parsed.properties.containers.items.properties.restart.properties;
  deepStrictEqual(restart.policy.enum, ["never", "on-failure", "always"]);
  deepStrictEqual(restart.backoff.default, {
    initial: 100,
    factor: 2,
    cap: 10_000,
    resetAfter: 60_000,
  });
  const help = await runInit(["--help"]);
  assertEquals(help.code, 0);
  for (
    const word of [
      "validate FILE",
      "schema",
      "--config",
      "--log-level",
      "neverRestartExitCodes",
      "TERM, INT and PWR stop the pod",
      "QUIT",
      "deno run -A --v8-flags=--lite-mode,--max-semi-space-size=1 weft-init.js",
    ]
  ) {
    assert(help.stdout.includes(word), word);
  }
  const unknown = await runInit(["frobnicate"]);
  assertEquals(
    unknown.stderr,
    'weft-init: Unknown command "frobnicate": expected run, validate or schema (see --help)\n',
  );
  assertEquals(unknown.code, 2);
});

podTest(
  (runtime) => `the same pod runs under ${runtime} by naming it in runtime.name`,
  async ({ pod, runtime, mode }) => {
    const config = await pod.write(runtime, {
      containers: [{
        id: "wi-hello",
        bundle: await pod.bundle("echo hello from $0"),
        restart: { policy: "never" },
      }],
    });
    await using init = startInit(config, mode);
    const { code, stdout, stderr } = await init.exited;
    assertEquals(code, 0, stderr);
    assertEquals(stdout, "[wi-hello] hello from sh\n");
    assert(stderr.includes(`with runtime ${runtime} (state root ${pod.root})`), stderr);
    assertEquals((await pod.status())!.pod.runtime, runtime);
  },
);

Deno.test({
  name: `auto picks an installed runtime: crun first, runc when crun is not installed ${
    label("runc", "child")
  }`,
  ignore: missing("runc", "child") || missing("crun", "child"),
  async fn(): Promise<void> {
    await using pod = await PodDir.create();
    const config = await pod.write("auto", {
      containers: [{
        id: "wi-auto",
        bundle: await pod.bundle("true"),
        restart: { policy: "never" },
      }],
      runtime: { root: pod.root },
    });
    const first = await (startInit(config, "child")).exited;
    assertEquals(first.code, 0, first.stderr);
    assertEquals((await pod.status())!.pod.runtime, "crun");
    // A PATH where only runc exists.
    const bin = `${pod.dir}/bin`;
    await Deno.mkdir(bin);
    await Deno.symlink((await findBinary("runc"))!, `${bin}/runc`);
    const second = await (startInit(config, "child", { env: { PATH: bin } })).exited;
    assertEquals(second.code, 0, second.stderr);
    assertEquals((await pod.status())!.pod.runtime, "runc");
    // A PATH with neither.
    await Deno.remove(`${bin}/runc`);
    const none = await (startInit(config, "child", { env: { PATH: bin } })).exited;
    assertEquals(none.code, 3);
    assertEquals(
      none.stderr,
      'weft-init: No container runtime is available: tried crun (binary "crun" not found), runc (binary "runc" not found), ' +
        'youki (binary "youki" not found (set WEFT_YOUKI or options.binary))\n',
    );
  },
});
