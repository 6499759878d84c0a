import type { PluginOptionsSchema } from "./plugin_options.ts";
import type { Detection, RuntimePlugin } from "./registry.ts";
import type { Runtime } from "./runtime.ts";

/**
 * Options of {@linkcode findBinary}.
 *
 * @example
 * ```ts no-assert
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
 * import assert from "node:assert/strict";
 * import { findBinary } from "@weft/runtime";
 *
 * const sh = await findBinary("sh");
 * assert.ok(sh === undefined || sh.endsWith("/sh"));
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

/**
 * Options of {@linkcode detectBinary}.
 *
 * @example
 * ```ts no-assert
 * import type { DetectBinaryOptions } from "@weft/runtime";
 *
 * const options: DetectBinaryOptions = { hint: "set MY_RUNTIME or options.binary" };
 * ```
 */
export interface DetectBinaryOptions extends FindBinaryOptions {
  /** Added to the reason when the binary is missing, e.g. how to name it. */
  hint?: string;
}

/**
 * The usual `detect` of a runtime plugin whose only need is its binary: the
 * binary found, or a reason that names it (`binary "crun" not found`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detectBinary } from "@weft/runtime";
 *
 * const detection = await detectBinary("weft-no-such-runtime");
 * assert.equal(detection.reason, 'binary "weft-no-such-runtime" not found');
 * ```
 */
export async function detectBinary(
  binary: string,
  options: DetectBinaryOptions = {},
): Promise<Detection> {
  const found = await findBinary(binary, options);
  if (found !== undefined) return { available: true, binary: found };
  const hint = options.hint === undefined ? "" : ` (${options.hint})`;
  return { available: false, reason: `binary "${binary}" not found${hint}` };
}

/**
 * A runtime plugin whose only need is its binary: `create` is `make`,
 * `detect` is {@linkcode detectBinary} of the `binary` option, else of
 * `name`, and `optionsSchema` names the options it takes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binaryPlugin, OciCliRuntime } from "@weft/runtime";
 *
 * const plugin = binaryPlugin("weft-no-such-runtime", (options) =>
 *   new OciCliRuntime({ name: "weft-no-such-runtime", ...options }));
 * assert.equal((await plugin.detect()).available, false);
 * ```
 */
export function binaryPlugin(
  name: string,
  make: (options: Record<string, unknown>) => Runtime,
  optionsSchema?: PluginOptionsSchema,
): RuntimePlugin {
  return {
    name,
    apiVersion: 1,
    optionsSchema,
    create: (options: Record<string, unknown> = {}): Runtime => make(options),
    detect(options: Record<string, unknown> = {}): Promise<Detection> {
      return detectBinary(typeof options.binary === "string" ? options.binary : name);
    },
  };
}
