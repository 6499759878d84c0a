import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { ConfigError, loadConfig, parseConfig } from "./config.ts";
import { podConfigJsonSchema } from "./config_schema.ts";

function issues(document: unknown): string[] {
  try {
    parseConfig(document, { baseDir: "/etc/weft" });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  return [];
}

Deno.test("a minimal pod gets every default, with paths resolved against the file's directory", () => {
  const config = parseConfig({
    containers: [{ id: "web", bundle: "bundles/web", stdio: { file: "web.log" } }],
  }, {
    baseDir: "/etc/weft",
  });
  deepStrictEqual(config, {
    runtime: { name: "auto", callTimeout: 30_000, noPivot: false, options: {}, plugins: [] },
    containers: [{
      id: "web",
      bundle: "/etc/weft/bundles/web",
      restart: {
        policy: "on-failure",
        neverRestartExitCodes: [],
        alwaysRestartExitCodes: [],
        backoff: { initial: 100, factor: 2, cap: 10_000, resetAfter: 60_000 },
        startLimit: 10,
      },
      stop: { signal: "TERM", grace: 10_000 },
      stdio: { file: "/etc/weft/web.log" },
      dependsOn: [],
    }],
    pod: { stopGrace: 30_000, exitCode: { from: "first-failure" }, endWhen: "all-ended" },
    statusFile: "/run/weft/status.json",
  });
});

Deno.test("a partial nested object keeps its fields and gets the missing defaults", () => {
  const config = parseConfig({
    containers: [{ id: "a", bundle: "/b", restart: { policy: "always", backoff: { cap: 500 } } }],
  });
  deepStrictEqual(config.containers[0].restart.backoff, {
    initial: 100,
    factor: 2,
    cap: 500,
    resetAfter: 60_000,
  });
});

Deno.test("every problem is named by its JSON path", () => {
  deepStrictEqual(
    issues({
      containers: [
        {
          id: "a",
          bundle: "/b",
          stop: { signal: "NOPE" },
          restart: { neverRestartExitCodes: [1, 1, 300] },
        },
        { id: "a", rootfss: "/r" },
      ],
      pod: { exitCode: { from: "container" }, endWhen: { ended: "a" } },
    }),
    [
      "containers[0].restart.neverRestartExitCodes[2]: expected an integer <= 255, got 300",
      "containers[0].restart.neverRestartExitCodes[1]: duplicate value 1",
      'containers[1].rootfss: unknown field (expected one of "id", "bundle", "rootfs", "process", "hostname", "mounts", "resources", "readonlyRootfs", "imageConfig", "privileged", "shareNamespacesWith", "shareNamespaces", "restart", "stop", "stdio", "dependsOn")',
      'containers[1]: expected exactly one of "bundle" or "rootfs", got none',
      "pod.exitCode.id: required field is missing",
      'pod.endWhen.ended: expected an array, got "a"',
    ],
  );
});

Deno.test("references between containers are checked after the shapes", () => {
  deepStrictEqual(
    issues({
      containers: [
        { id: "a", bundle: "/b", stop: { signal: "NOPE" }, dependsOn: ["zz"] },
        {
          id: "a",
          bundle: "/b",
          restart: { neverRestartExitCodes: [3], alwaysRestartExitCodes: [3] },
        },
      ],
      pod: { exitCode: { from: "container", id: "x" }, endWhen: { ended: ["y"] } },
    }),
    [
      'containers[0].stop.signal: expected a signal name like "TERM" or a number in 1-31 or 34-64, got "NOPE"',
      'containers[1].id: duplicate container id "a" (also containers[0])',
      "containers[1].restart.alwaysRestartExitCodes[0]: exit code 3 is also in neverRestartExitCodes",
      'containers[0].dependsOn[0]: unknown container "zz"',
      'pod.exitCode.id: unknown container "x"',
      'pod.endWhen.ended[0]: unknown container "y"',
    ],
  );
});

Deno.test("the JSON Schema describes the same fields the validator accepts", () => {
  const schema = podConfigJsonSchema() as {
    properties: Record<
      string,
      { properties?: Record<string, unknown>; items?: { properties: object } }
    >;
  };
  deepStrictEqual(Object.keys(schema.properties), [
    "$schema",
    "runtime",
    "containers",
    "pod",
    "control",
    "statusFile",
  ]);
  deepStrictEqual(
    Object.keys(schema.properties.containers.items!.properties),
    [
      "id",
      "bundle",
      "rootfs",
      "process",
      "hostname",
      "mounts",
      "resources",
      "readonlyRootfs",
      "imageConfig",
      "privileged",
      "shareNamespacesWith",
      "shareNamespaces",
      "restart",
      "stop",
      "stdio",
      "dependsOn",
    ],
  );
  deepStrictEqual(Object.keys(schema.properties.pod.properties!), [
    "stopGrace",
    "exitCode",
    "endWhen",
  ]);
});

Deno.test("a file that cannot be read or parsed is a ConfigError naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await loadConfig(`${dir}/missing.json`).then(
      () => Promise.reject(new Error("loaded")),
      (error) =>
        strictEqual(
          error.message,
          `Cannot read pod configuration "${dir}/missing.json": no such file`,
        ),
    );
    await Deno.writeTextFile(`${dir}/bad.json`, "{");
    await loadConfig(`${dir}/bad.json`).then(
      () => Promise.reject(new Error("loaded")),
      (error) => strictEqual(error.name, "ConfigError"),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
