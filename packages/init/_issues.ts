// Problems of a pod document, each with its JSON path, in words a user can
// act on; every value quoted in them is bounded, so that a 10 MB string in a
// pod file gives a short message.
import type * as v from "valibot";

/** One problem: where (`containers[1].restart.policy`, `""` for the root) and what. */
export interface Issue {
  path: string;
  message: string;
}

/** The longest quoted value in a message, in characters. */
const QUOTE_LIMIT = 80;

/** Joins a path and a property name the way JavaScript would write it. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return path === "" ? key : `${path}.${key}`;
  return `${path}[${quote(key)}]`;
}

/** A string as JSON, cut to {@linkcode QUOTE_LIMIT} characters with its full size. */
export function quote(text: string): string {
  if (text.length <= QUOTE_LIMIT) return JSON.stringify(text);
  const bytes = new TextEncoder().encode(text).length;
  return `${JSON.stringify(text.slice(0, QUOTE_LIMIT))}... (${bytes} bytes)`;
}

/** Any value, as short words or bounded JSON. */
export function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return Number.isFinite(value) ? String(value) : `the non-finite number ${value}`;
    case "boolean":
      return String(value);
    case "undefined":
      return "undefined";
    case "object":
      return "an object";
    default:
      return `a ${typeof value}`;
  }
}

function article(type: string): string {
  switch (type) {
    case "strict_object":
    case "object":
    case "record":
      return "an object";
    case "array":
      return "an array";
    case "boolean":
      return "true or false";
    case "number":
      return "a number";
    default:
      return `a ${type}`;
  }
}

function issuePath(issue: v.BaseIssue<unknown>): string {
  let path = "";
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    path = childPath(path, typeof key === "number" ? key : String(key));
  }
  return path;
}

/** What a union or variant issue expected, from the issues of its options. */
function alternatives(issue: v.BaseIssue<unknown>): string {
  const words = (issue.issues ?? []).map((sub) => expected(sub));
  return [...new Set(words)].join(" or ");
}

function expected(issue: v.BaseIssue<unknown>): string {
  switch (issue.type) {
    case "picklist":
    case "literal":
      return `one of ${(issue.expected ?? "").replace(/^\((.*)\)$/, "$1").split(" | ").join(", ")}`;
    case "union":
    case "variant":
      return issue.issues ? alternatives(issue) : `one of ${issue.expected}`;
    case "custom":
      return issue.message;
    default:
      return article(issue.type);
  }
}

/** The words of one valibot issue (its path is given apart). */
function words(issue: v.BaseIssue<unknown>): string {
  const got = show(issue.input);
  if (issue.kind === "schema") {
    if (issue.expected === "never") return "unknown field";
    if (issue.input === undefined && /^"/.test(issue.expected ?? "")) {
      return "required field is missing";
    }
    return `expected ${expected(issue)}, got ${got}`;
  }
  const requirement = (issue as { requirement?: unknown }).requirement;
  switch (issue.type) {
    case "integer":
      return `expected an integer, got ${got}`;
    case "min_value":
      return `expected at least ${requirement}, got ${got}`;
    case "max_value":
      return `expected at most ${requirement}, got ${got}`;
    case "min_length":
      return Array.isArray(issue.input)
        ? `expected at least ${requirement} item${requirement === 1 ? "" : "s"}`
        : `expected ${issue.message}, got ${got}`;
    default:
      // regex and check carry the expectation as their message.
      return `expected ${issue.message}, got ${got}`;
  }
}

/**
 * A union's issues inside the option whose shape the value has (an object
 * given for `{"ended": [...]}`) say more than "expected X or Y": those are kept.
 */
function deepest(issue: v.BaseIssue<unknown>): v.BaseIssue<unknown>[] {
  // The paths of a union's issues are relative to the union.
  const deeper = (issue.issues ?? []).filter((sub) => (sub.path?.length ?? 0) > 0);
  if (deeper.length === 0) return [issue];
  return deeper.flatMap((sub) =>
    deepest({ ...sub, path: [...(issue.path ?? []), ...sub.path!] } as v.BaseIssue<unknown>)
  );
}

/** A schema node, seen through its wrappers (optional) to what it holds. */
interface Node {
  type: string;
  kind?: string;
  pipe?: Node[];
  wrapped?: Node;
  entries?: Record<string, Node>;
  item?: Node;
  options?: Node[];
}

function objectsAt(schema: Node, keys: readonly (string | number)[]): Node[] {
  return nodesAt(schema, keys).filter((node) => node.entries !== undefined);
}

function nodesAt(schema: Node, keys: readonly (string | number)[]): Node[] {
  let nodes = [schema];
  const unwrap = (node: Node): Node[] => {
    if (node.wrapped) return unwrap(node.wrapped);
    // A check that runs first (NOT_ARRAY), then the schema it guards.
    if (node.type === "custom" && node.pipe) {
      return node.pipe.filter((item) =>
        item.kind === "schema" && !(item.type === "custom" && !item.pipe)
      ).flatMap(unwrap);
    }
    if (node.options) return node.options.flatMap(unwrap);
    return [node];
  };
  for (const key of keys) {
    nodes = nodes.flatMap(unwrap).flatMap((node) => {
      if (typeof key === "number") return node.item ? [node.item] : [];
      const child = node.entries && Object.hasOwn(node.entries, key)
        ? node.entries[key]
        : undefined;
      return child ? [child] : [];
    });
  }
  return nodes.flatMap(unwrap);
}

/** The issues of a failed valibot parse of `schema`, with the known fields listed for an unknown one. */
export function fromValibot(
  schema: v.GenericSchema,
  issues: readonly v.BaseIssue<unknown>[],
): Issue[] {
  return issues.flatMap(deepest).map((issue) => {
    const path = issuePath(issue);
    let message = words(issue);
    if (message === "unknown field") {
      const keys = (issue.path ?? []).map((item) => (item as { key: string | number }).key);
      const known = new Set(
        objectsAt(schema as unknown as Node, keys.slice(0, -1)).flatMap((node) =>
          Object.keys(node.entries!)
        ),
      );
      message = `unknown field (expected one of ${[...known].map((f) => `"${f}"`).join(", ")})`;
    }
    return { path, message };
  });
}
