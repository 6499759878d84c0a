// The spec's schema (valibot, and the JSON Schema derived from it) and
// parseContainerSpec agree on seeded documents, but for the rules only the
// parser checks (SPEC_PARSER_ONLY_RULES).
import assert from "node:assert/strict";
import { seededRandom } from "@weft/runtime/testing";
import * as v from "valibot";
import Ajv2020Module from "ajv/dist/2020.js";
import {
  CONTAINER_SPEC_SCHEMA,
  ContainerSpecError,
  jsonSchemaOf,
  parseContainerSpec,
  SPEC_PARSER_ONLY_RULES,
} from "./mod.ts";

const BASE = {
  rootfs: "/srv/web",
  process: { args: ["httpd", "-f"], entrypoint: [], env: ["A=1"], cwd: "/srv", user: "www:www" },
  hostname: "web",
  mounts: [
    {
      type: "bind",
      source: "/srv/data",
      destination: "/data",
      readonly: true,
      options: ["nosuid"],
    },
    { type: "tmpfs", destination: "/tmp", size: "16m", mode: "1777" },
  ],
  resources: {
    memoryLimit: "64m",
    cpuShares: 512,
    cpuQuota: 50_000,
    cpuPeriod: 100_000,
    pidsLimit: 64,
  },
  readonlyRootfs: false,
  imageConfig: "/srv/image.json",
  privileged: false,
  pod: { pid: 42, share: ["network", "ipc"] },
};

const VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  -1,
  1.5,
  777,
  0o7777,
  4096,
  2 ** 22,
  2 ** 22 + 1,
  2 ** 53,
  262145,
  "",
  "x",
  "/",
  "//",
  "/a/../b",
  "/a..b",
  "rel",
  "/a\0b",
  "A=",
  "=A",
  " A=1",
  "0",
  "64m",
  "0m",
  "9999999999999999g",
  " 16k ",
  "1777",
  "07777",
  "8",
  "uts",
  "network",
  "bind",
  "tmpfs",
  "a:b:c",
  "a b",
  "-web",
  "web.",
  "x".repeat(70),
  [],
  ["x"],
  [""],
  ["uts", "uts"],
  [1],
  {},
];

function mutate(next: () => number): unknown {
  const spec = structuredClone(BASE) as unknown as Record<string, unknown>;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  for (let n = 1 + Math.floor(next() * 3); n > 0; n--) {
    let node: Record<string, unknown> = spec;
    for (let depth = 0; depth < 3; depth++) {
      const keys = Object.keys(node);
      if (keys.length === 0 || next() < 0.3) break;
      const child = node[pick(keys)];
      if (typeof child !== "object" || child === null) break;
      node = child as Record<string, unknown>;
    }
    const keys = Object.keys(node);
    const roll = next();
    if (roll < 0.7 && keys.length > 0) node[pick(keys)] = structuredClone(pick(VALUES));
    else if (roll < 0.8) node.extra = 1;
    else if (Array.isArray(node)) node.splice(Math.floor(next() * node.length), 1);
    else if (keys.length > 0) delete node[pick(keys)];
  }
  return spec;
}

Deno.test("the spec schema, its JSON Schema and parseContainerSpec agree on 5,000 seeded specs", () => {
  const Ajv2020 = Ajv2020Module.default;
  const json = jsonSchemaOf(CONTAINER_SPEC_SCHEMA);
  const validateJson = new Ajv2020({ strict: false }).compile(json);
  const next = seededRandom(5);
  let accepted = 0;
  for (let i = 0; i < 5_000; i++) {
    const spec = mutate(next);
    let refusal: ContainerSpecError | undefined;
    try {
      parseContainerSpec(spec);
      accepted++;
    } catch (error) {
      if (!(error instanceof ContainerSpecError)) throw error;
      refusal = error;
    }
    const schema = v.is(CONTAINER_SPEC_SCHEMA as v.GenericSchema, spec);
    const jsonSchema = validateJson(spec) as boolean;
    const detail = `spec ${i}: ${JSON.stringify(spec)}\nparser: ${refusal?.message}`;
    assert.equal(jsonSchema, schema, `the JSON Schema and the valibot schema differ: ${detail}`);
    if (refusal === undefined) {
      assert.ok(schema, `the parser accepts what the schema refuses: ${detail}`);
    } else if (schema) {
      // Only the parser-only rules: hostname with a shared UTS namespace, sizes past 2^53.
      const rule = refusal.expected.startsWith("no hostname")
        ? SPEC_PARSER_ONLY_RULES[0]
        : refusal.expected.startsWith("a positive number of bytes")
        ? SPEC_PARSER_ONLY_RULES[1]
        : undefined;
      assert.ok(rule, `the schema accepts what the parser refuses: ${detail}`);
    }
  }
  assert.ok(accepted > 200, `only ${accepted} accepted`);
});
