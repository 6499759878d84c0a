// The pod file as JSON, read with the care PID 1 needs: only a regular file
// of bounded size (a FIFO or /dev/zero would hang it or fill its memory),
// UTF-8 without a byte order mark, no key given twice in an object (JSON.parse
// keeps the last one silently), and for documents handed over as JavaScript
// values, only what JSON can hold.
import { readRegularFile, UnreadableFileError } from "@weft/bundle";
import { MAX_CONFIG_BYTES } from "./config_defaults.ts";
import { childPath, type Issue, show } from "./_issues.ts";

/** Deeper than any pod file: a limit that keeps the validators' recursion bounded. */
const MAX_DEPTH = 64;

/** The text of a pod file: a regular file of at most MAX_CONFIG_BYTES of UTF-8. */
export async function readDocumentText(file: string): Promise<string> {
  const bytes = await readRegularFile(file, { maxBytes: MAX_CONFIG_BYTES, what: "a pod file" });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (error) {
    throw new UnreadableFileError("not UTF-8 text", { cause: error });
  }
  if (text.startsWith("\uFEFF")) {
    throw new UnreadableFileError(
      "it starts with a UTF-8 byte order mark (BOM), which JSON does not allow: save it without one",
    );
  }
  return text;
}

/** Paths of keys given twice in one object of `text`, which JSON.parse accepted. */
export function duplicateKeys(text: string): Issue[] {
  interface Frame {
    object: boolean;
    path: string;
    keys: Set<string>;
    key: string;
    index: number;
    expectKey: boolean;
  }
  const issues: Issue[] = [];
  const stack: Frame[] = [];
  const valuePath = (): string => {
    const top = stack.at(-1);
    if (top === undefined) return "";
    return top.object ? childPath(top.path, top.key) : childPath(top.path, top.index);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") {
      const object = c === "{";
      stack.push({
        object,
        path: valuePath(),
        keys: new Set(),
        key: "",
        index: 0,
        expectKey: object,
      });
    } else if (c === "}" || c === "]") {
      stack.pop();
    } else if (c === ",") {
      const top = stack.at(-1)!;
      if (top.object) top.expectKey = true;
      else top.index++;
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const top = stack.at(-1);
      if (top?.object && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) {
          issues.push({
            path: childPath(top.path, key),
            message: "duplicate key: this object gives it more than once",
          });
        }
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    }
  }
  return issues;
}

/**
 * Problems that make `value` something JSON cannot hold: undefined, BigInt,
 * functions, symbols, non-finite numbers, objects other than plain ones and
 * arrays, cycles, and nesting deeper than MAX_DEPTH.
 */
export function nonJsonValues(value: unknown): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<object>();
  const visit = (item: unknown, path: string, depth: number): void => {
    if (issues.length >= 20) return;
    const fail = (what: string) =>
      issues.push({ path, message: `expected a JSON value, got ${what}` });
    switch (typeof item) {
      case "string":
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(item)) fail(show(item));
        return;
      case "object":
        break;
      default:
        return void fail(show(item));
    }
    if (item === null) return;
    if (depth > MAX_DEPTH) return void fail(`nesting deeper than ${MAX_DEPTH} levels`);
    if (seen.has(item)) return void fail("a cycle (an object that contains itself)");
    const prototype = Object.getPrototypeOf(item);
    if (!Array.isArray(item) && prototype !== Object.prototype && prototype !== null) {
      return void fail(`an instance of ${prototype?.constructor?.name ?? "a class"}`);
    }
    seen.add(item);
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) visit(item[i], childPath(path, i), depth + 1);
    } else {
      for (const key of Object.keys(item)) {
        visit((item as Record<string, unknown>)[key], childPath(path, key), depth + 1);
      }
    }
    seen.delete(item);
  };
  try {
    visit(value, "", 0);
  } catch (error) {
    // A getter that throws, or a proxy: not data.
    issues.push({ path: "", message: `expected a JSON value: ${(error as Error).name}` });
  }
  return issues;
}
