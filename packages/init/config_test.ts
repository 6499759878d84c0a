import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { CONTAINER_SPEC_FIELDS } from "@weft/bundle";
import { ConfigError, loadConfig, parseConfig } from "./config.ts";
import { podConfigJsonSchema } from "./config_schema.ts";

function issues(document: unknown): string[] {
  try {
    parseConfig(document, { baseDir: "/etc/weft" });
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.issues.map((i) => `${i.path || "(root)"}: ${i.message}`);
    }
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
      "containers[0].restart.neverRestartExitCodes[2]: expected at most 255, got 300",
      'containers[1].rootfss: unknown field (expected one of "id", "bundle", "rootfs", "process", "hostname", "mounts", "resources", "readonlyRootfs", "imageConfig", "privileged", "seccomp", "rlimits", "userNamespace", "shareNamespacesWith", "shareNamespaces", "restart", "stop", "stdio", "dependsOn")',
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
    "machine",
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
      "seccomp",
      "rlimits",
      "userNamespace",
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

Deno.test("a rootfs container's seccomp, rlimits and userNamespace go to its spec, checked with their paths", () => {
  const userNamespace = { uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }] };
  const config = parseConfig({
    containers: [{
      id: "web",
      rootfs: "/srv/web",
      process: { args: ["httpd"] },
      seccomp: "unconfined",
      rlimits: { nofile: 4096 },
      userNamespace,
    }],
  });
  deepStrictEqual(config.containers[0].spec?.seccomp, "unconfined");
  deepStrictEqual(config.containers[0].spec?.rlimits, { nofile: { soft: 4096, hard: 4096 } });
  deepStrictEqual(config.containers[0].spec?.userNamespace, userNamespace);
  const bad = (fields: Record<string, unknown>) =>
    issues({
      containers: [{ id: "web", rootfs: "/srv/web", process: { args: ["x"] }, ...fields }],
    });
  deepStrictEqual(bad({ rlimits: { nofile: { soft: 9, hard: 1 } } }), [
    "containers[0].rlimits.nofile.soft: expected at most the hard limit 1, got 9",
  ]);
  deepStrictEqual(
    bad({
      seccomp: {
        defaultAction: "SCMP_ACT_ERRNO",
        syscalls: [{ names: ["nope"], action: "SCMP_ACT_ALLOW" }],
      },
    }),
    [
      'containers[0].seccomp.syscalls[0].names[0]: expected the name of a Linux system call, got "nope"',
    ],
  );
  deepStrictEqual(
    bad({ userNamespace: { uidMappings: [{ containerId: 0, hostId: 1, size: "all" }] } }),
    [
      'containers[0].userNamespace.uidMappings[0].size: expected a number, got "all"',
    ],
  );
});
const POD = { containers: [{ id: "web", bundle: "/b" }] };

Deno.test("every duration refuses 2^31 ms or more, which a timer would fire at once", () => {
  const big = 2 ** 31;
  deepStrictEqual(
    issues({
      runtime: { callTimeout: big },
      containers: [{
        id: "web",
        bundle: "/b",
        stop: { grace: big },
        restart: { backoff: { initial: big, cap: big, resetAfter: big } },
      }],
      pod: { stopGrace: big },
    }),
    [
      "runtime.callTimeout: expected at most 2147483647, got 2147483648",
      "containers[0].restart.backoff.initial: expected at most 2147483647, got 2147483648",
      "containers[0].restart.backoff.cap: expected at most 2147483647, got 2147483648",
      "containers[0].restart.backoff.resetAfter: expected at most 2147483647, got 2147483648",
      "containers[0].stop.grace: expected at most 2147483647, got 2147483648",
      "pod.stopGrace: expected at most 2147483647, got 2147483648",
    ],
  );
  strictEqual(parseConfig({ ...POD, pod: { stopGrace: 2 ** 31 - 1 } }).pod.stopGrace, 2 ** 31 - 1);
});

Deno.test("names inherited from Object.prototype are unknown fields like any other", () => {
  for (const key of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
    const container = Object.fromEntries([["id", "web"], ["bundle", "/b"], [key, 1]]);
    const [issue] = issues({ containers: [container] });
    strictEqual(
      issue.startsWith(`containers[0].${key}: unknown field (expected one of "id",`),
      true,
    );
  }
  // Where any key is data (runtime.options), such a key is kept for the plugin to judge.
  const options = Object.fromEntries([["constructor", 1]]);
  deepStrictEqual(parseConfig({ ...POD, runtime: { options } }).runtime.options, options);
});

Deno.test("any JavaScript value gives a ConfigError naming its path, never another error", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  const cases: [unknown, string][] = [
    [
      { containers: [{ id: "web", bundle: undefined }] },
      "containers[0].bundle: expected a JSON value, got undefined",
    ],
    [{ ...POD, pod: { stopGrace: 10n } }, "pod.stopGrace: expected a JSON value, got a bigint"],
    [
      { ...POD, pod: { stopGrace: NaN } },
      "pod.stopGrace: expected a JSON value, got the non-finite number NaN",
    ],
    [{ ...POD, statusFile: Symbol("s") }, "statusFile: expected a JSON value, got a symbol"],
    [{ ...POD, pod: new Date(0) }, "pod: expected a JSON value, got an instance of Date"],
    [
      { ...POD, pod: cycle },
      "pod.self: expected a JSON value, got a cycle (an object that contains itself)",
    ],
    [{ ...POD, pod: [] }, "pod: expected an object, got an array"],
    [undefined, "(root): expected a JSON value, got undefined"],
  ];
  for (const [document, expected] of cases) deepStrictEqual(issues(document), [expected]);
});

Deno.test("quoted values are bounded: a 10 MB string gives a short message", () => {
  let message = "";
  try {
    parseConfig({ containers: [{ id: "web", bundle: "/b", stdio: "x".repeat(10_000_000) }] });
  } catch (error) {
    message = (error as ConfigError).message;
  }
  strictEqual(
    message,
    `Invalid pod configuration: containers[0].stdio: expected one of "console", "none" or an object, got "${
      "x".repeat(80)
    }"... (10000000 bytes)`,
  );
});

Deno.test("only a regular pod file of at most 1 MiB of UTF-8 without a BOM is read", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/fifo.json`;
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    const cases: [string, string | Uint8Array | undefined, RegExp][] = [
      [fifo, undefined, /: expected a regular file, got a FIFO$/],
      ["/dev/zero", undefined, /: expected a regular file, got a character device$/],
      [dir, undefined, /: expected a regular file, got a directory$/],
      [`${dir}/bom.json`, `\uFEFF${JSON.stringify(POD)}`, /byte order mark \(BOM\)/],
      [`${dir}/big.json`, " ".repeat(1024 * 1024 + 1), /larger than the 1048576 bytes/],
      [`${dir}/latin1.json`, new Uint8Array([0x7b, 0xe9, 0x7d]), /not UTF-8 text$/],
      [
        `${dir}/twice.json`,
        '{"containers": [{"id": "a", "bundle": "/b", "id": "b"}]}',
        /containers\[0\]\.id: duplicate key/,
      ],
    ];
    for (const [file, content, expected] of cases) {
      if (typeof content === "string") await Deno.writeTextFile(file, content);
      else if (content) await Deno.writeFile(file, content);
      await loadConfig(file).then(
        () => Promise.reject(new Error(`${file} loaded`)),
        (error) => {
          strictEqual(error instanceof ConfigError, true, String(error));
          strictEqual(expected.test(error.message), true, error.message);
        },
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a message stays under 1,000 characters and always shows the first issue", () => {
  const id = (n: number) => `${String(n).padStart(3, "0")}${"x".repeat(250)}`;
  const containers = Array.from({ length: 20 }, (_, i) => ({
    id: id(i),
    bundle: "/b",
    dependsOn: [id((i + 1) % 20)],
  }));
  try {
    parseConfig({ containers });
    throw new Error("accepted");
  } catch (error) {
    const { message } = error as ConfigError;
    strictEqual(message.length <= 1000, true, `${message.length} characters`);
    strictEqual(message.includes("containers[0].dependsOn: dependency cycle"), true, message);
  }
});

Deno.test("the README's table documents every field of the schema, with the schema's defaults", async () => {
  const readme = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  const rows = new Map<string, string>();
  for (const [, field, fallback] of readme.matchAll(/^\| `([^`]+)` +\| ([^|]*?) +\|/gm)) {
    rows.set(field.replace(/^\.\.\.restart\./, "containers[].restart."), fallback);
  }
  type Node = { properties?: Record<string, Node>; items?: Node; default?: unknown };
  const schema = podConfigJsonSchema() as Node;
  // The container spec's fields but rootfs are documented in @weft/bundle's README.
  const spec = CONTAINER_SPEC_FIELDS.filter((field) => field !== "rootfs");
  const missing: string[] = [];
  const visit = (node: Node, path: string, documented: boolean): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (key === "$schema" || spec.includes(key)) continue;
      const field = path === "" ? key : `${path}.${key}`;
      const row = rows.get(field);
      const leaf = (child.items ?? child).properties === undefined;
      if (row === undefined && !documented && leaf) missing.push(field);
      // A default written as a JSON literal is the schema's.
      const literal = /^`(.*)`$/.exec(row ?? "")?.[1];
      if (literal !== undefined && child.default !== undefined && /^[\[{"0-9tf]/.test(literal)) {
        deepStrictEqual(JSON.parse(literal), child.default, field);
      }
      visit(child.items ?? child, child.items ? `${field}[]` : field, documented || !!row);
    }
  };
  visit(schema, "", false);
  deepStrictEqual(missing, []);
});

Deno.test("the control section: defaults filled in, the socket resolved, bad fields named", () => {
  const containers = [{ id: "web", bundle: "/b" }];
  const config = parseConfig({
    containers,
    control: { socket: "run/ctl.sock", vsock: { port: 1024 } },
  }, {
    baseDir: "/etc/weft",
  });
  deepStrictEqual(config.control, {
    socket: "/etc/weft/run/ctl.sock",
    vsock: { port: 1024 },
    logLines: 1000,
    maxLineLength: 8192,
    journal: 10000,
    maxBodyBytes: 65536,
    maxStreams: 64,
  });
  strictEqual(parseConfig({ containers }).control, undefined);
  try {
    parseConfig({
      containers,
      control: { tcp: { hostname: "0.0.0.0", port: 0 }, maxStreams: 0, open: true },
    });
    throw new Error("accepted");
  } catch (error) {
    const { message } = error as ConfigError;
    strictEqual(message.includes("control.tcp.port"), true, message);
    strictEqual(message.includes("control.maxStreams"), true, message);
    strictEqual(message.includes("control.open: unknown field"), true, message);
  }
});

Deno.test("file output fields are checked and their paths resolved", () => {
  const config = parseConfig({
    containers: [{
      id: "web",
      bundle: "/b",
      stdio: { file: "web.log", stderrFile: "web.err", format: "json", maxBytes: 0, maxFiles: 2 },
    }],
  }, { baseDir: "/etc/weft" });
  deepStrictEqual(config.containers[0].stdio, {
    file: "/etc/weft/web.log",
    stderrFile: "/etc/weft/web.err",
    format: "json",
    maxBytes: 0,
    maxFiles: 2,
  });
  const found = issues({
    containers: [{ id: "a", bundle: "/b", stdio: { file: "x", format: "xml", maxFiles: 0 } }],
  });
  strictEqual(found.length > 0, true);
  strictEqual(
    found.every((issue) => issue.startsWith("containers[0].stdio")),
    true,
    found.join("\n"),
  );
  strictEqual(found.some((issue) => /format|xml/.test(issue)), true, found.join("\n"));
});
