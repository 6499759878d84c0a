// Issue 11's fuzz test and the schema/parser agreement test. Seeded, so a
// failure names the input that gives it again.
import { ok as assert } from "node:assert/strict";
import { seededRandom } from "@weft/runtime/testing";
import Ajv2020Module from "ajv/dist/2020.js";
import "@weft/crun";
import "@weft/runc";
import "@weft/youki";
import { getRuntimePlugin, listRuntimePlugins } from "@weft/runtime";
import { CROSS_REFERENCE_RULES } from "./_config_rules.ts";
import { ConfigError, parseConfig, type PodConfig } from "./config.ts";
import { MAX_DURATION } from "./config_defaults.ts";
import { podConfigJsonSchema } from "./config_schema.ts";
import { checkPluginOptionNames } from "@weft/runtime";

const BASE = {
  runtime: { name: "runc", callTimeout: 5000, options: { root: "/run/x" }, plugins: [] },
  containers: [
    {
      id: "db",
      bundle: "/b/db",
      restart: {
        policy: "always",
        backoff: { initial: 10, factor: 2, cap: 100, resetAfter: 1000 },
      },
      stop: { signal: "TERM", grace: 100 },
      stdio: { file: "db.log" },
    },
    {
      id: "web",
      rootfs: "/srv/web",
      process: { args: ["httpd"], env: ["A=1"], user: "1:1", cwd: "/" },
      mounts: [{ type: "tmpfs", destination: "/tmp", size: "16m", mode: "1777" }],
      resources: { pidsLimit: 10, memoryLimit: "64m" },
      dependsOn: ["db"],
      shareNamespacesWith: "db",
      shareNamespaces: ["network"],
    },
  ],
  pod: { stopGrace: 1000, exitCode: { from: "container", id: "web" }, endWhen: { ended: ["web"] } },
  statusFile: "/run/s.json",
};

const JSON_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  255,
  256,
  2 ** 31 - 1,
  2 ** 31,
  1e300,
  "",
  "x",
  "TERM",
  "/abs",
  "rel",
  "a..b",
  "-rf",
  "web",
  "db",
  "never",
  "console",
  "x".repeat(5000),
  [],
  ["db"],
  [1, 1],
  {},
  { file: "f" },
  { from: "first-failure" },
  { constructor: 1 },
];
const JS_VALUES: unknown[] = [
  undefined,
  10n,
  NaN,
  Infinity,
  -Infinity,
  Symbol("s"),
  () => 1,
  new Date(0),
  new Map(),
];
const KEYS = [
  "id",
  "bundle",
  "rootfs",
  "process",
  "args",
  "grace",
  "signal",
  "constructor",
  "toString",
  "hasOwnProperty",
  "__proto__",
  "nmae",
  "policy",
  "options",
  "dependsOn",
  "hostname",
];

/** A copy of BASE with a few random changes: a value replaced, a key added or removed. */
function mutate(next: () => number, jsValues: boolean): unknown {
  const document = structuredClone(BASE) as unknown as Record<string, unknown>;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const values = jsValues ? [...JSON_VALUES, ...JS_VALUES] : JSON_VALUES;
  const changes = 1 + Math.floor(next() * 3);
  for (let n = 0; n < changes; n++) {
    // Walk down to a random object or array.
    let node: Record<string, unknown> = document;
    for (let depth = 0; depth < 4; depth++) {
      const keys = Object.keys(node);
      if (keys.length === 0 || next() < 0.25) break;
      const child = node[pick(keys)];
      if (typeof child !== "object" || child === null) break;
      node = child as Record<string, unknown>;
    }
    const keys = Object.keys(node);
    const roll = next();
    if (roll < 0.6 && keys.length > 0) node[pick(keys)] = structuredCloneSafe(pick(values));
    else if (roll < 0.8) {
      Object.defineProperty(node, pick(KEYS), {
        value: structuredCloneSafe(pick(values)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else if (keys.length > 0) delete node[pick(keys)];
  }
  return next() < 0.02 ? pick(values) : document;
}

function structuredCloneSafe(value: unknown): unknown {
  return typeof value === "object" && value !== null && !(value instanceof Date) &&
      !(value instanceof Map)
    ? structuredClone(value)
    : value;
}

function durations(config: PodConfig): number[] {
  return [
    config.pod.stopGrace,
    config.runtime.callTimeout,
    ...config.containers.flatMap((c) => [
      c.stop.grace,
      c.restart.backoff.initial,
      c.restart.backoff.cap,
      c.restart.backoff.resetAfter,
    ]),
  ];
}

Deno.test("10,000 seeded hostile documents: only ConfigError, each issue with a path, short messages, bounded durations", () => {
  const next = seededRandom(11);
  let accepted = 0;
  for (let i = 0; i < 10_000; i++) {
    const document = mutate(next, true);
    try {
      const config = parseConfig(document, { baseDir: "/etc/weft" });
      accepted++;
      assert(
        durations(config).every((ms) => ms <= MAX_DURATION),
        `input ${i}: a duration too long`,
      );
    } catch (error) {
      assert(error instanceof ConfigError, `input ${i}: ${(error as Error)?.stack}`);
      assert(error.issues.length > 0, `input ${i}: no issue`);
      assert(error.message.length <= 1000, `input ${i}: ${error.message.length} characters`);
      for (const issue of error.issues) {
        // The root itself has the path "": only when the document is not an object.
        const rootOnly = typeof document !== "object" || document === null ||
          Object.getPrototypeOf(document) !== Object.prototype;
        assert(issue.path !== "" || rootOnly, `input ${i}: no path: ${issue.message}`);
      }
    }
  }
  // The mutations leave some documents valid: the parser is not refusing everything.
  assert(accepted > 100, `only ${accepted} accepted`);
});

// The published schema, compiled by a JSON Schema validator other than the parser.
const Ajv2020 = Ajv2020Module.default;
const validateSchema = new Ajv2020({ allErrors: false, strict: false }).compile(
  podConfigJsonSchema(),
);

/** The parser's verdict, with runtime.options checked as the preflight does for a built-in. */
function parse(document: unknown): ConfigError | undefined {
  try {
    const config = parseConfig(document, { baseDir: "/etc/weft" });
    // "auto" runs the first installed built-in: its options must suit one of them.
    const names = config.runtime.name === "auto"
      ? ["crun", "runc", "youki"]
      : [config.runtime.name];
    if (!listRuntimePlugins().some((plugin) => plugin.name === names[0])) {
      const message = `unknown runtime ${JSON.stringify(names[0])}`;
      return new ConfigError(message, { issues: [{ path: "runtime.name", message }] });
    }
    const suits = (name: string): boolean => {
      try {
        checkPluginOptionNames(getRuntimePlugin(name), config.runtime.options);
        getRuntimePlugin(name).create(config.runtime.options);
        return true;
      } catch {
        return false;
      }
    };
    if (!names.some(suits)) throw new Error("runtime.options refused");
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    return new ConfigError(String(error), { issues: [{ path: "runtime.options", message: "x" }] });
  }
}

Deno.test("the published JSON Schema and the parser agree on 5,000 seeded documents, but for the documented rules", () => {
  const next = seededRandom(12);
  let both = 0;
  for (let i = 0; i < 5_000; i++) {
    const document = mutate(next, false);
    const error = parse(document);
    const schemaAccepts = validateSchema(document) as boolean;
    const detail = () =>
      `input ${i}: ${JSON.stringify(document).slice(0, 600)}\nparser: ${error?.message}\nschema: ${
        JSON.stringify(validateSchema.errors?.slice(0, 3))
      }`;
    if (error === undefined) {
      both++;
      assert(schemaAccepts, `the parser accepts what the schema refuses: ${detail()}`);
    } else if (schemaAccepts) {
      for (const issue of error.issues) {
        assert(
          CROSS_REFERENCE_RULES.some(({ message }) => message.test(issue.message)),
          `the schema accepts what the parser refuses for an undocumented rule: ${detail()}`,
        );
      }
    }
  }
  assert(both > 100, `only ${both} accepted`);
});

Deno.test("the published JSON Schema refuses what the old one let through", () => {
  const bad = [
    { containers: [{ id: "a", rootfs: "/r", process: 42 }] },
    { containers: [{ id: "a", rootfs: "rootfs", process: { args: ["sh"] } }] },
    { containers: [{ id: "a", bundle: "/b", process: { args: ["sh"] } }] },
    { containers: [{ id: "a", bundle: "/b", rootfs: "/r" }] },
    { containers: [{ id: "a", bundle: "/b", stop: { grace: 2 ** 31 } }] },
    { runtime: { name: "runc", options: { nmae: 1 } }, containers: [{ id: "a", bundle: "/b" }] },
    { containers: [{ id: "a", bundle: "/b" }], pod: [] },
  ];
  for (const document of bad) {
    assert(!validateSchema(document), JSON.stringify(document));
    assert(parse(document) !== undefined, JSON.stringify(document));
  }
  assert(validateSchema({ containers: [{ id: "a", rootfs: "/r", process: { args: ["sh"] } }] }));
});
