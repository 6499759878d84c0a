/**
 * The valibot pieces the JSON schemas of weft are built from (the container
 * spec's here, weft-init's pod file): objects that refuse arrays and unknown
 * fields, bounded integers, arrays of distinct values. Their types are
 * valibot's, which is why they live in this subpath and not in the package's
 * main entry. {@linkcode jsonSchemaOf} (`@weft/bundle`) turns a schema built
 * from them into JSON Schema.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import * as v from "valibot";
 * import { integer, strictObject } from "@weft/bundle/schema-kit";
 *
 * const schema = strictObject({ port: integer(1, 65535) });
 * ok(v.is(schema, { port: 80 }));
 * ok(!v.is(schema, []));
 * ```
 *
 * @module
 */
import * as v from "valibot";

/**
 * Anything but an array or null among objects: valibot's object schemas take
 * an array for an object (an empty one passes), so each object schema is
 * piped after this check.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import * as v from "valibot";
 * import { NOT_ARRAY } from "@weft/bundle/schema-kit";
 *
 * ok(v.is(NOT_ARRAY, {}));
 * ok(!v.is(NOT_ARRAY, []));
 * ```
 */
export const NOT_ARRAY: v.CustomSchema<object, v.ErrorMessage<v.CustomIssue> | undefined> = v
  .custom<object>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    "an object",
  );

/**
 * An object with these fields and no other (an array is refused too).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import * as v from "valibot";
 * import { strictObject } from "@weft/bundle/schema-kit";
 *
 * const schema = strictObject({ name: v.string() });
 * ok(v.is(schema, { name: "web" }));
 * ok(!v.is(schema, { name: "web", nmae: "web" }));
 * ```
 */
export function strictObject<E extends v.ObjectEntries>(
  entries: E,
): v.SchemaWithPipe<readonly [typeof NOT_ARRAY, v.StrictObjectSchema<E, undefined>]> {
  return v.pipe(NOT_ARRAY, v.strictObject(entries));
}

/**
 * An integer from `min` to `max`.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import * as v from "valibot";
 * import { integer } from "@weft/bundle/schema-kit";
 *
 * ok(v.is(integer(0, 255), 255));
 * ok(!v.is(integer(0, 255), 1.5));
 * ```
 */
export function integer(min: number, max: number): v.GenericSchema<unknown, number> {
  return v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
}

/**
 * An array of `item`s, each at most once (`uniqueItems` in JSON Schema).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import * as v from "valibot";
 * import { uniqueArray } from "@weft/bundle/schema-kit";
 *
 * ok(v.is(uniqueArray(v.string()), ["a", "b"]));
 * ok(!v.is(uniqueArray(v.string()), ["a", "a"]));
 * ```
 */
export function uniqueArray<T>(item: v.GenericSchema<unknown, T>): v.GenericSchema<unknown, T[]> {
  return v.pipe(
    v.array(item),
    v.check((items) => new Set(items).size === items.length, "each value at most once"),
    v.metadata({ uniqueItems: true }),
  );
}
