import {
  detectBinary,
  type Detection,
  OCI_CLI_OPTIONS_SCHEMA,
  type RuntimePlugin,
} from "@weft/runtime";
import { checkYoukiOptions } from "./_options.ts";
import { type YoukiOptions, YoukiRuntime } from "./youki_runtime.ts";

/**
 * The environment variable naming the youki binary when no `binary` option is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { YOUKI_BINARY_ENV } from "@weft/youki";
 *
 * // `WEFT_YOUKI=/opt/youki/bin/youki` points weft at a youki built from source.
 * const binary = Deno.env.get(YOUKI_BINARY_ENV) ?? "youki";
 * assert.ok(binary.length > 0);
 * ```
 */
export const YOUKI_BINARY_ENV = "WEFT_YOUKI";

function withBinary(options: Record<string, unknown>): YoukiOptions {
  checkYoukiOptions(options);
  const binary = options.binary ?? Deno.env.get(YOUKI_BINARY_ENV) ?? "youki";
  return { ...options, binary } as YoukiOptions;
}

/**
 * The youki plugin that importing `@weft/youki` registers: `create` takes
 * {@linkcode YoukiOptions}; without a `binary`, the `WEFT_YOUKI`
 * environment variable names it, else `youki` in PATH. `detect` looks for
 * the binary and refuses options youki cannot honour (such as `rootless`).
 *
 * @example
 * ```ts no-assert
 * import { youkiPlugin } from "@weft/youki";
 *
 * const detection = await youkiPlugin.detect();
 * console.log(detection.available ? detection.binary : detection.reason);
 * ```
 */
export const youkiPlugin: RuntimePlugin = {
  name: "youki",
  apiVersion: 1,
  optionsSchema: {
    type: "object",
    properties: {
      ...OCI_CLI_OPTIONS_SCHEMA.properties,
      rootless: {
        const: "auto",
        description: "youki has no --rootless: it runs rootless by itself when not root.",
      },
    },
    additionalProperties: false,
  },
  create(options: Record<string, unknown> = {}): YoukiRuntime {
    return new YoukiRuntime(withBinary(options));
  },
  async detect(options: Record<string, unknown> = {}): Promise<Detection> {
    let binary: string;
    try {
      binary = withBinary(options).binary!;
    } catch (error) {
      return { available: false, reason: (error as Error).message };
    }
    return await detectBinary(binary, { hint: `set ${YOUKI_BINARY_ENV} or options.binary` });
  },
};
