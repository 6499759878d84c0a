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

function mutate(
  next: () => number,
  base: Record<string, unknown> = BASE,
  values: readonly unknown[] = VALUES,
): unknown {
  const spec = structuredClone(base);
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
    if (roll < 0.7 && keys.length > 0) node[pick(keys)] = structuredClone(pick(values));
    else if (roll < 0.8) node.extra = 1;
    else if (Array.isArray(node)) node.splice(Math.floor(next() * node.length), 1);
    else if (keys.length > 0) delete node[pick(keys)];
  }
  return spec;
}

/** Which parser-only rule a refusal the schemas let through comes from, if any. */
function parserOnlyRule(expected: string): string | undefined {
  const rules: [RegExp, number][] = [
    [/^no hostname/, 0],
    [/^a positive number of bytes/, 1],
    [/^at most the hard limit|^"\w+" given once/, 2],
    [
      /^a range that overlaps no other|^a range holding id 0|^at most \d+ \(ids end|^no user namespace with/,
      3,
    ],
    [/^the listener's socket path/, 4],
  ];
  const found = rules.find(([pattern]) => pattern.test(expected));
  return found === undefined ? undefined : SPEC_PARSER_ONLY_RULES[found[1]];
}

/** Runs `count` seeded mutations of `base` through the three and checks they agree. */
function agree(
  seed: number,
  count: number,
  base: Record<string, unknown>,
  values: readonly unknown[],
): void {
  const Ajv2020 = Ajv2020Module.default;
  const json = jsonSchemaOf(CONTAINER_SPEC_SCHEMA);
  const validateJson = new Ajv2020({ strict: false }).compile(json);
  const next = seededRandom(seed);
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const spec = mutate(next, base, values);
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
      assert.ok(
        parserOnlyRule(refusal.expected),
        `the schema accepts what the parser refuses: ${detail}`,
      );
    }
  }
  assert.ok(accepted > count / 25, `only ${accepted} accepted`);
}

Deno.test("the spec schema, its JSON Schema and parseContainerSpec agree on 5,000 seeded specs", () => {
  agree(5, 5_000, BASE, VALUES);
});

// The confinement fields, without pod and privileged (which a user namespace refuses).
const CONFINED: Record<string, unknown> = {
  rootfs: "/srv/web",
  process: { args: ["httpd"] },
  seccomp: {
    defaultAction: "SCMP_ACT_ERRNO",
    defaultErrnoRet: 1,
    architectures: ["SCMP_ARCH_X86_64"],
    syscalls: [
      { names: ["read", "write"], action: "SCMP_ACT_ALLOW" },
      {
        names: ["personality"],
        action: "SCMP_ACT_ALLOW",
        args: [{ index: 0, value: 8, valueTwo: 0, op: "SCMP_CMP_EQ" }],
      },
    ],
  },
  rlimits: { nofile: { soft: 1024, hard: 4096 }, RLIMIT_CORE: 0 },
  userNamespace: {
    uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }],
    gidMappings: [{ containerId: 0, hostId: 100000, size: 1000 }, {
      containerId: 1000,
      hostId: 200000,
      size: 10,
    }],
  },
};
const CONFINED_VALUES: readonly unknown[] = [
  ...VALUES,
  "default",
  "unconfined",
  "/etc/seccomp.json",
  "SCMP_ACT_ALLOW",
  "SCMP_ACT_NOTIFY",
  "SCMP_ARCH_AARCH64",
  "SCMP_CMP_MASKED_EQ",
  "frobnicate",
  "nofile",
  "RLIMIT_NOFILE",
  5,
  6,
  100000,
  2 ** 32 - 2,
  2 ** 32 - 1,
  { soft: 10, hard: 5 },
  { soft: 5, hard: 10 },
  ["read"],
  ["frobnicate"],
  [{ containerId: 0, hostId: 1, size: 1 }],
  [{ containerId: 1, hostId: 1, size: 1 }],
];

Deno.test("the three agree on 3,000 seeded specs with seccomp, rlimits and userNamespace", () => {
  agree(16, 3_000, CONFINED, CONFINED_VALUES);
});
