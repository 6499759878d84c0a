// Field checks shared by the spec parser: each returns the checked value or
// throws a ContainerSpecError naming the field path and what was expected.
import { ContainerSpecError } from "./errors.ts";
import { readRegularFile, UnreadableFileError } from "./regular_file.ts";

export function fail(field: string, expected: string, value: unknown): never {
  throw new ContainerSpecError({ field, expected, value });
}

export function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

export function record(
  value: unknown,
  field: string,
  keys: readonly string[],
  extra: readonly string[] = [],
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(field || "spec", "an object", value);
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (!keys.includes(key) && !extra.includes(key)) {
      fail(join(field, key), `no such field (known: ${keys.join(", ")})`, object[key]);
    }
  }
  return object;
}

export function string(value: unknown, field: string, expected = "a non-empty string"): string {
  if (typeof value !== "string" || value.length === 0 || value.includes("\0")) {
    return fail(field, expected, value);
  }
  return value;
}

/** An absolute path; `..` components are refused so that nothing escapes its root. */
export function absolutePath(value: unknown, field: string): string {
  const expected = 'an absolute path (starting with "/", without ".." components)';
  const path = string(value, field, expected);
  if (!path.startsWith("/") || path.split("/").includes("..")) fail(field, expected, value);
  return path;
}

export function boolean(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") fail(field, "true or false", value);
  return value as boolean;
}

export function stringArray(
  value: unknown,
  field: string,
  check: (item: string, field: string) => string = (item, itemField) => string(item, itemField),
): string[] {
  if (!Array.isArray(value)) return fail(field, "an array of strings", value);
  return value.map((item, index) => check(item, join(field, index)));
}

export function integer(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
    return fail(field, `an integer ${range}`, value);
  }
  return value;
}

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A positive size in bytes: a number, or a string such as `"64m"` (binary units, as Docker). */
export function bytes(value: unknown, field: string): number {
  const expected = 'a positive number of bytes, or a string such as "512k", "64m", "1g"';
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value <= 0) fail(field, expected, value);
    return value;
  }
  if (typeof value !== "string") return fail(field, expected, value);
  const match = /^([0-9]+)([kmg]?)b?$/i.exec(value.trim());
  if (match === null) return fail(field, expected, value);
  const size = Number(match[1]) * UNITS[match[2].toLowerCase()];
  if (!Number.isSafeInteger(size) || size <= 0) fail(field, expected, value);
  return size;
}

/**
 * Reads the JSON file `path` named by `field`: a regular file of at most
 * `MAX_DOCUMENT_BYTES` (1 MiB) of UTF-8; one that cannot be read or parsed
 * is refused as "a readable <what> file" or "an <what> in JSON".
 */
export async function readJsonFile(path: string, field: string, what: string): Promise<unknown> {
  let text: string;
  try {
    const bytes = await readRegularFile(path, { what: `an ${what} file` });
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    const why = error instanceof UnreadableFileError ? error.message : "not UTF-8 text";
    const expected = `a readable ${what} file: ${why}`;
    throw new ContainerSpecError({ field, expected, value: path, cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const expected = `an ${what} in JSON: ${(error as Error).message}`;
    throw new ContainerSpecError({ field, expected, value: path, cause: error });
  }
}
