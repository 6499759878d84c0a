/**
 * Options of {@linkcode findBinary}.
 *
 * @example
 * ```ts
 * import type { FindBinaryOptions } from "@weft/runtime";
 *
 * const options: FindBinaryOptions = { path: "/usr/local/bin:/usr/bin" };
 * ```
 */
export interface FindBinaryOptions {
  /**
   * The search path, `:`-separated.
   * @default {Deno.env.get("PATH")}
   */
  path?: string;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const info = await Deno.stat(file);
    return info.isFile && info.mode !== null && (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Finds an executable: a name containing `/` is checked as is, a bare name is
 * searched in the PATH. Resolves to the path found, or `undefined`.
 *
 * @example
 * ```ts
 * import { findBinary } from "@weft/runtime";
 *
 * const sh = await findBinary("sh");
 * console.assert(sh === undefined || sh.endsWith("/sh"));
 * ```
 */
export async function findBinary(
  name: string,
  options: FindBinaryOptions = {},
): Promise<string | undefined> {
  if (name.includes("/")) return await isExecutable(name) ? name : undefined;
  const path = options.path ?? Deno.env.get("PATH") ?? "";
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    const candidate = `${dir}/${name}`;
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}
