// The validator used to accept generated configs is itself checked against
// the schema's own test documents: every good one passes, every bad one fails.
import assert from "node:assert/strict";
import { configSchemaErrors, SPEC_DIR } from "./_oci_schema_test_utils.ts";

async function documents(kind: "good" | "bad"): Promise<[string, string][]> {
  const dir = new URL(`test/config/${kind}/`, SPEC_DIR);
  const found: [string, string][] = [];
  for await (const entry of Deno.readDir(dir)) {
    found.push([entry.name, await Deno.readTextFile(new URL(entry.name, dir))]);
  }
  return found.sort();
}

Deno.test("the schema's good config documents pass the validator", async () => {
  const good = await documents("good");
  assert.ok(good.length >= 6, `only ${good.length} good documents`);
  for (const [name, text] of good) {
    assert.deepEqual(await configSchemaErrors(JSON.parse(text)), [], name);
  }
});

Deno.test("the schema's bad config documents fail the validator (or are not JSON)", async () => {
  const bad = await documents("bad");
  assert.ok(bad.length >= 3, `only ${bad.length} bad documents`);
  for (const [name, text] of bad) {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      continue; // invalid-json.json: refused before any schema applies.
    }
    const errors = await configSchemaErrors(document);
    assert.ok(errors.length > 0, `${name} passed the validator`);
  }
});
