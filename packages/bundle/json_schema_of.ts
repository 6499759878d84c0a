import type * as v from "valibot";
import { toJsonSchema } from "@valibot/to-json-schema";

/**
 * The JSON Schema (draft 2020-12) of a valibot schema built like
 * {@linkcode CONTAINER_SPEC_SCHEMA}: each object is `v.pipe(guard, object)`,
 * the guard refusing arrays (which valibot's object schemas would take), and
 * only the object is described (JSON Schema's `"type": "object"` already
 * refuses arrays); checks in code are described by `v.metadata` beside them.
 * weft-init derives its pod file's schema with it.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { CONTAINER_SPEC_SCHEMA, jsonSchemaOf } from "@weft/bundle";
 *
 * const schema = jsonSchemaOf(CONTAINER_SPEC_SCHEMA);
 * strictEqual(schema.type, "object");
 * strictEqual(schema.additionalProperties, false);
 * ```
 */
export function jsonSchemaOf(schema: unknown): Record<string, unknown> {
  return toJsonSchema(schema as v.GenericSchema, {
    target: "draft-2020-12",
    // A pipe with two schemas (guard, object) is described by its last one.
    typeMode: "output",
    ignoreActions: ["check"],
  }) as Record<string, unknown>;
}
