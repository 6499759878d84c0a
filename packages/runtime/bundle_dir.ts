import { InvalidArgumentError } from "./errors.ts";

/**
 * Checks that `bundleDir` is a directory holding `config.json`, and returns
 * its absolute path (runtimes resolve relative paths against their own
 * working directory, which is not the caller's).
 *
 * @throws {InvalidArgumentError} naming the directory and what is missing.
 *
 * @example
 * ```ts ignore
 * import { validateBundleDir } from "@weft/runtime";
 *
 * const bundle = await validateBundleDir("./bundles/web");
 * ```
 */
export function validateBundleDir(bundleDir: unknown, argument = "bundleDir"): Promise<string> {
  try {
    return Promise.resolve(checkBundleDir(bundleDir, argument));
  } catch (error) {
    return Promise.reject(error);
  }
}

function checkBundleDir(bundleDir: unknown, argument: string): string {
  const fail = (why: string, cause?: unknown): never => {
    throw new InvalidArgumentError(
      `Invalid bundle directory ${JSON.stringify(bundleDir)}: ${why}`,
      {
        argument,
        value: bundleDir,
        reason: why,
        cause,
      },
    );
  };
  if (typeof bundleDir !== "string" || bundleDir.length === 0) {
    return fail("expected a non-empty path");
  }
  if (bundleDir.includes("\0")) return fail("must not contain a NUL byte");
  let absolute: string;
  try {
    // Sync on purpose: two local syscalls on the path of every create, where
    // the async forms cost a hand-off to a worker thread each.
    absolute = Deno.realPathSync(bundleDir);
  } catch (error) {
    return fail("it does not exist", error);
  }
  try {
    const info = Deno.statSync(`${absolute}/config.json`);
    if (!info.isFile) return fail("its config.json is not a file");
  } catch (error) {
    return fail("it holds no config.json", error);
  }
  return absolute;
}
