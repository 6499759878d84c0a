// Validates documents against the OCI runtime-spec v1.2.1 config schema kept
// in tests/fixtures (draft-04, hence ajv-draft-04; its $refs are relative
// file names, resolved against the ids given here).
// ajv-draft-04 declares ajv an optional peer: importing it puts it in the graph.
import "ajv";
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv-draft-04";

// The package is CommonJS: its module object is the class and also holds it as `default`.
const Ajv = AjvModule.default;

export const SPEC_DIR = new URL("../../tests/fixtures/oci-runtime-spec-v1.2.1/", import.meta.url);
const BASE = "https://weft.invalid/oci-runtime-spec-v1.2.1/schema/";

let validator: Promise<ValidateFunction> | undefined;

async function load(): Promise<ValidateFunction> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const schemaDir = new URL("schema/", SPEC_DIR);
  for await (const entry of Deno.readDir(schemaDir)) {
    if (!entry.name.endsWith(".json")) continue;
    const schema = JSON.parse(await Deno.readTextFile(new URL(entry.name, schemaDir)));
    ajv.addSchema({ ...schema, id: `${BASE}${entry.name}` });
  }
  const validate = ajv.getSchema(`${BASE}config-schema.json`);
  if (validate === undefined) throw new Error("config-schema.json did not load");
  return validate;
}

/** The schema errors of `document` (an empty array when it is valid). */
export async function configSchemaErrors(document: unknown): Promise<string[]> {
  validator ??= load();
  const validate = await validator;
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) =>
    `${error.instancePath || "/"} ${error.message}`
  );
}
