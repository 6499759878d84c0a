import { findBinary } from "../find_binary.ts";

/**
 * Finds a binary a test needs. When it is missing, the test is skipped with
 * a loud message on stderr, except in CI (`CI=true`), where a missing
 * dependency is a failure: this throws.
 *
 * @example
 * ```ts ignore
 * import { requireBinary } from "@weft/runtime/testing";
 *
 * const runc = await requireBinary("runc");
 * Deno.test({ name: "runc runs", ignore: runc === undefined, fn() {} });
 * ```
 */
export async function requireBinary(name: string): Promise<string | undefined> {
  const found = await findBinary(name);
  if (found !== undefined) return found;
  const message = `${name} is not installed: the tests that need it did NOT run`;
  if (Deno.env.get("CI") === "true") throw new Error(`${message} (a failure in CI)`);
  // deno-lint-ignore no-console
  console.error(`\n!!! SKIPPED: ${message} !!!\n`);
  return undefined;
}
