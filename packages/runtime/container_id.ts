import { InvalidArgumentError } from "./errors.ts";

/**
 * The longest container id accepted: it becomes a directory name in the state root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_CONTAINER_ID_LENGTH } from "@weft/runtime";
 *
 * assert.ok("web".length <= MAX_CONTAINER_ID_LENGTH);
 * ```
 */
export const MAX_CONTAINER_ID_LENGTH = 255;

const ID_CHARSET = /^[A-Za-z0-9_.+-]+$/;

/**
 * The rule of {@linkcode validateContainerId} as one regular expression (a
 * string, as JSON Schema's `pattern` takes it), for schemas and editors;
 * {@linkcode CONTAINER_ID_RULE} says it in words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTAINER_ID_PATTERN } from "@weft/runtime";
 *
 * assert.ok(new RegExp(CONTAINER_ID_PATTERN).test("web-1"));
 * assert.ok(!new RegExp(CONTAINER_ID_PATTERN).test("../x"));
 * ```
 */
export const CONTAINER_ID_PATTERN: string =
  `^(?!-)(?!.*\\.\\.)(?!\\.$)[A-Za-z0-9_.+-]{1,${MAX_CONTAINER_ID_LENGTH}}$`;

/**
 * The container id rule in words, for messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTAINER_ID_RULE } from "@weft/runtime";
 *
 * assert.match(CONTAINER_ID_RULE, /not starting with "-"/);
 * ```
 */
export const CONTAINER_ID_RULE: string =
  `a container id (1-${MAX_CONTAINER_ID_LENGTH} letters, digits, "_", ".", "+" or "-", not starting with "-", no "..")`;

/**
 * Checks that `id` is a container id that every runtime accepts and that is
 * safe on a command line and as a path component: runc's charset (letters,
 * digits, `_ . + -`), not starting with `-`, no `..`, at most
 * {@linkcode MAX_CONTAINER_ID_LENGTH} characters. Returns the id.
 *
 * @throws {InvalidArgumentError} naming the id and the rule it breaks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { validateContainerId } from "@weft/runtime";
 *
 * validateContainerId("web-1");
 * try {
 *   validateContainerId("-rf");
 * } catch (error) {
 *   assert.ok((error as Error).message.includes('"-rf"'));
 * }
 * ```
 */
export function validateContainerId(id: unknown, argument = "id"): string {
  const fail = (why: string): never => {
    throw new InvalidArgumentError(`Invalid container id ${JSON.stringify(id)}: ${why}`, {
      argument,
      value: id,
    });
  };
  if (typeof id !== "string") return fail(`expected a string, got ${typeof id}`);
  if (id.length === 0) return fail("must not be empty");
  if (id.length > MAX_CONTAINER_ID_LENGTH) {
    return fail(`must be at most ${MAX_CONTAINER_ID_LENGTH} characters, got ${id.length}`);
  }
  if (id.startsWith("-")) return fail('must not start with "-"');
  if (id.includes("..") || id === ".") return fail('must not be "." or contain ".."');
  if (!ID_CHARSET.test(id)) {
    return fail('may hold only letters, digits, "_", ".", "+" and "-"');
  }
  return id;
}
