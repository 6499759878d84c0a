import assert from "node:assert/strict";
import AjvModule from "npm:ajv@^8.17.1";

/** The part of Ajv's API this test uses (its types reach ajv's own through a peer dependency). */
interface Validator {
  (value: unknown): boolean;
  errors?: unknown[] | null;
}
interface AjvLike {
  addSchema(schema: unknown, key: string): void;
  compile(schema: unknown): Validator;
  errorsText(errors: unknown): string;
}
// A CommonJS module: Deno hands over module.exports, typed as the namespace.
const Ajv = AjvModule as unknown as new (options: Record<string, unknown>) => AjvLike;
import { hasPause } from "@weft/runtime";
import { createBusyboxBundle, poll } from "@weft/runtime/testing";
import { delegateToCgroup2Namespace } from "./_cgroup2.ts";
import { RUNTIMES, scratch } from "./_runtimes.ts";

const delegated = await delegateToCgroup2Namespace(import.meta.url);

const SCHEMA_DIR = new URL("./fixtures/oci-runtime-spec-v1.2.1/schema/", import.meta.url);

/**
 * Reads a schema of the spec. They declare draft-04; the keywords the state
 * schema and its definitions use (type, enum, required, minimum, $ref to
 * definitions, patternProperties) mean the same in Ajv's default draft-07,
 * so the `$schema` line is dropped rather than adding a draft-04 plugin.
 */
async function schema(name: string): Promise<Record<string, unknown>> {
  const parsed = JSON.parse(await Deno.readTextFile(new URL(name, SCHEMA_DIR)));
  delete parsed.$schema;
  return parsed;
}

/**
 * The state schema as published, and a copy whose status enum also has
 * `paused`: runc, crun and youki all report it, the spec's prose allows
 * runtime-defined states, but the schema's enum omits it.
 */
async function validators(): Promise<
  { strict: (v: unknown) => boolean; paused: (v: unknown) => boolean; errors: () => string }
> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(await schema("defs.json"), "defs.json");
  const state = await schema("state-schema.json");
  const strict = ajv.compile(state);
  const withPaused = structuredClone(state) as { properties: { status: { enum: string[] } } };
  withPaused.properties.status.enum.push("paused");
  const paused = ajv.compile(withPaused);
  return {
    strict: (v) => strict(v) as boolean,
    paused: (v) => paused(v) as boolean,
    errors: () => ajv.errorsText(strict.errors ?? paused.errors),
  };
}

for (const rt of delegated ? [] : RUNTIMES) {
  Deno.test(`${rt.name} state output validates against the OCI runtime-spec state schema`, async () => {
    const { strict, paused, errors } = await validators();
    // The validator does refuse what the schema refuses.
    assert.equal(strict({ ociVersion: "1.0.2", id: "x", status: "bogus", bundle: "/b" }), false);
    assert.equal(strict({ ociVersion: "1.0.2", id: "x", status: "running" }), false);
    await using s = await scratch(`${rt.name}-schema`);
    const runtime = rt.make(s.root);
    await using bundle = await createBusyboxBundle({ args: ["sleep", "60"] });
    const seen: string[] = [];
    const check = async (status: string) => {
      const state = await runtime.state(s.id);
      assert.equal(state.status, status);
      assert.ok(state.raw, "no raw state");
      const valid = status === "paused" ? paused(state.raw) : strict(state.raw);
      assert.ok(valid, `${status} state is not valid: ${errors()}: ${JSON.stringify(state.raw)}`);
      if (status === "paused") {
        assert.equal(strict(state.raw), false, "the schema now accepts paused");
      }
      seen.push(status);
    };
    try {
      await runtime.create(s.id, bundle.dir);
      await check("created");
      await runtime.start(s.id);
      await check("running");
      assert.ok(hasPause(runtime));
      await runtime.pause(s.id);
      await check("paused");
      await runtime.resume(s.id);
      await check("running");
      await runtime.kill(s.id, "KILL");
      await poll(() => runtime.state(s.id), (st) => st.status === "stopped", "stopped");
      await check("stopped");
      assert.deepEqual(seen, ["created", "running", "paused", "running", "stopped"]);
    } finally {
      await runtime.delete(s.id, { force: true });
    }
  });
}
