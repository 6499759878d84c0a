/**
 * A small description language for JSON documents. One description drives
 * both the validator ({@linkcode validateNode}) and the JSON Schema printed
 * for editors ({@linkcode toJsonSchema}), so the two can never disagree.
 */

/** Fields every node may carry. */
interface Base {
  /** Shown in the JSON Schema (editors display it). */
  description?: string;
  /** Filled in when the field is absent; also printed in the schema. */
  default?: unknown;
}

/** A string, optionally from a fixed set or matching a pattern. */
export interface StringNode extends Base {
  /** The node kind. */
  kind: "string";
  /** The allowed values. */
  enum?: readonly string[];
  /** A regular expression the whole value must match. */
  pattern?: string;
  /** What the pattern means, for messages. */
  patternHint?: string;
  /** The shortest length allowed. */
  minLength?: number;
}

/** A number (`integer` for whole numbers). */
export interface NumberNode extends Base {
  /** The node kind. */
  kind: "integer" | "number";
  /** The smallest value allowed. */
  minimum?: number;
  /** The largest value allowed. */
  maximum?: number;
}

/** `true` or `false`. */
export interface BooleanNode extends Base {
  /** The node kind. */
  kind: "boolean";
}

/** An array of one kind of item. */
export interface ArrayNode extends Base {
  /** The node kind. */
  kind: "array";
  /** The items. */
  items: SchemaNode;
  /** The fewest items allowed. */
  minItems?: number;
  /** Whether items must differ. */
  uniqueItems?: boolean;
}

/** An object with named properties; any other property is an error. */
export interface ObjectNode extends Base {
  /** The node kind. */
  kind: "object";
  /** The properties allowed. */
  properties: Readonly<Record<string, SchemaNode>>;
  /** The properties that must be present. */
  required?: readonly string[];
  /** Exactly one of these properties must be present. */
  exactlyOne?: readonly string[];
  /** When set, properties not named are allowed and must match this node. */
  additional?: SchemaNode;
}

/**
 * One of several shapes. A value picks its variant by JSON type, and among
 * objects by the `const` value of the property named `tag`.
 */
export interface UnionNode extends Base {
  /** The node kind. */
  kind: "union";
  /** The shapes allowed. */
  variants: readonly SchemaNode[];
  /** The property that tells object variants apart. */
  tag?: string;
}

/** A fixed value (used as the tag of object variants). */
export interface ConstNode extends Base {
  /** The node kind. */
  kind: "const";
  /** The only value allowed. */
  value: string;
}

/** Any JSON value. */
export interface AnyNode extends Base {
  /** The node kind. */
  kind: "any";
}

/** A node of the description language. */
export type SchemaNode =
  | StringNode
  | NumberNode
  | BooleanNode
  | ArrayNode
  | ObjectNode
  | UnionNode
  | ConstNode
  | AnyNode;

/** One problem found in a document: where, and what was expected. */
export interface SchemaIssue {
  /** The JSON path, for example `containers[1].restart.policy` (`""` for the root). */
  path: string;
  /** What was expected and what was found. */
  message: string;
}

/** Joins a path and a property name the way JavaScript would write it. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function show(value: unknown): string {
  const type = jsonType(value);
  if (type === "object") return "an object";
  if (type === "array") return "an array";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(node: SchemaNode): string {
  switch (node.kind) {
    case "string":
      return node.enum
        ? `one of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}`
        : "a string";
    case "integer":
      return "an integer";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "array":
      return "an array";
    case "object":
      return "an object";
    case "const":
      return JSON.stringify(node.value);
    case "union":
      return node.variants.map(describe).join(" or ");
    case "any":
      return "any value";
  }
}

function typeMatches(node: SchemaNode, value: unknown): boolean {
  const type = jsonType(value);
  switch (node.kind) {
    case "string":
    case "const":
      return type === "string";
    case "integer":
      return type === "integer";
    case "number":
      return type === "integer" || type === "number";
    case "boolean":
      return type === "boolean";
    case "array":
      return type === "array";
    case "object":
      return type === "object";
    case "union":
      return node.variants.some((variant) => typeMatches(variant, value));
    case "any":
      return true;
  }
}

/**
 * Checks `value` against `node`, appending every problem to `issues`, and
 * returns a copy with the defaults of absent properties filled in.
 */
export function validateNode(
  node: SchemaNode,
  value: unknown,
  path: string,
  issues: SchemaIssue[],
): unknown {
  const fail = (message: string): unknown => {
    issues.push({ path, message });
    return value;
  };
  if (!typeMatches(node, value)) {
    return fail(`expected ${describe(node)}, got ${show(value)}`);
  }
  switch (node.kind) {
    case "string": {
      const text = value as string;
      if (node.enum && !node.enum.includes(text)) {
        return fail(`expected ${describe(node)}, got ${show(text)}`);
      }
      if (node.minLength !== undefined && text.length < node.minLength) {
        return fail(
          node.minLength === 1
            ? "expected a non-empty string"
            : `expected at least ${node.minLength} characters`,
        );
      }
      if (node.pattern !== undefined && !new RegExp(node.pattern).test(text)) {
        return fail(
          `expected ${node.patternHint ?? `a string matching /${node.pattern}/`}, got ${
            show(text)
          }`,
        );
      }
      return text;
    }
    case "integer":
    case "number": {
      const number = value as number;
      if (node.minimum !== undefined && number < node.minimum) {
        return fail(`expected ${describe(node)} >= ${node.minimum}, got ${number}`);
      }
      if (node.maximum !== undefined && number > node.maximum) {
        return fail(`expected ${describe(node)} <= ${node.maximum}, got ${number}`);
      }
      return number;
    }
    case "const":
      if (value !== node.value) return fail(`expected ${describe(node)}, got ${show(value)}`);
      return value;
    case "boolean":
    case "any":
      return value;
    case "array": {
      const items = value as unknown[];
      if (node.minItems !== undefined && items.length < node.minItems) {
        return fail(`expected at least ${node.minItems} item${node.minItems === 1 ? "" : "s"}`);
      }
      const out = items.map((item, i) =>
        validateNode(node.items, item, childPath(path, i), issues)
      );
      if (node.uniqueItems) {
        const seen = new Set<string>();
        items.forEach((item, i) => {
          const key = JSON.stringify(item);
          if (seen.has(key)) {
            issues.push({ path: childPath(path, i), message: `duplicate value ${show(item)}` });
          }
          seen.add(key);
        });
      }
      return out;
    }
    case "object":
      return validateObject(node, value as Record<string, unknown>, path, issues);
    case "union": {
      const candidates = node.variants.filter((variant) => typeMatches(variant, value));
      let chosen = candidates[0];
      if (candidates.length > 1 && node.tag !== undefined) {
        const tag = node.tag;
        const tagValue = (value as Record<string, unknown>)[tag];
        const tags = candidates.map((v) => ((v as ObjectNode).properties[tag] as ConstNode).value);
        chosen = candidates.find((v) =>
          ((v as ObjectNode).properties[tag] as ConstNode).value === tagValue
        )!;
        if (chosen === undefined) {
          issues.push({
            path: childPath(path, tag),
            message: `expected one of ${tags.map((t) => JSON.stringify(t)).join(", ")}, got ${
              tagValue === undefined ? "nothing" : show(tagValue)
            }`,
          });
          return value;
        }
      }
      return validateNode(chosen, value, path, issues);
    }
  }
}

function validateObject(
  node: ObjectNode,
  value: Record<string, unknown>,
  path: string,
  issues: SchemaIssue[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const property = node.properties[key] ?? node.additional;
    if (property === undefined) {
      const known = Object.keys(node.properties).map((k) => `"${k}"`).join(", ");
      issues.push({
        path: childPath(path, key),
        message: `unknown field (expected one of ${known})`,
      });
      continue;
    }
    out[key] = validateNode(property, item, childPath(path, key), issues);
  }
  for (const key of node.required ?? []) {
    if (!(key in value)) {
      issues.push({ path: childPath(path, key), message: "required field is missing" });
    }
  }
  if (node.exactlyOne) {
    const present = node.exactlyOne.filter((key) => key in value);
    if (present.length !== 1) {
      const names = node.exactlyOne.map((k) => `"${k}"`).join(" or ");
      issues.push({
        path,
        message: node.exactlyOne.length === 1
          ? `required field ${names} is missing`
          : `expected exactly one of ${names}, got ${
            present.length === 0 ? "none" : present.map((k) => `"${k}"`).join(" and ")
          }`,
      });
    }
  }
  for (const [key, property] of Object.entries(node.properties)) {
    if (!(key in out) && property.default !== undefined) {
      out[key] = structuredClone(property.default);
    }
  }
  return out;
}

/**
 * The JSON Schema (draft 2020-12) equivalent of `node`: what editors use to
 * complete and check a document.
 */
export function toJsonSchema(node: SchemaNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (node.description !== undefined) out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  switch (node.kind) {
    case "string":
      out.type = "string";
      if (node.enum) out.enum = [...node.enum];
      if (node.pattern !== undefined) out.pattern = node.pattern;
      if (node.minLength !== undefined) out.minLength = node.minLength;
      break;
    case "integer":
    case "number":
      out.type = node.kind;
      if (node.minimum !== undefined) out.minimum = node.minimum;
      if (node.maximum !== undefined) out.maximum = node.maximum;
      break;
    case "boolean":
      out.type = "boolean";
      break;
    case "const":
      out.const = node.value;
      break;
    case "array":
      out.type = "array";
      out.items = toJsonSchema(node.items);
      if (node.minItems !== undefined) out.minItems = node.minItems;
      if (node.uniqueItems) out.uniqueItems = true;
      break;
    case "object":
      out.type = "object";
      out.properties = Object.fromEntries(
        Object.entries(node.properties).map(([key, value]) => [key, toJsonSchema(value)]),
      );
      if (node.required?.length) out.required = [...node.required];
      if (node.exactlyOne?.length) {
        out.oneOf = node.exactlyOne.map((key) => ({ required: [key] }));
      }
      out.additionalProperties = node.additional ? toJsonSchema(node.additional) : false;
      break;
    case "union":
      out.oneOf = node.variants.map(toJsonSchema);
      break;
    case "any":
      break;
  }
  return out;
}
