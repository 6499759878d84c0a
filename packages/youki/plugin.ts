import {
  type Detection,
  findBinary,
  InvalidArgumentError,
  registerRuntime,
  RUNTIME_API_VERSION,
  type RuntimePlugin,
  type RuntimePluginOptions,
} from "@weft/runtime";
import { YoukiRuntime, type YoukiRuntimeOptions } from "./youki_runtime.ts";

/** The environment variable naming the youki binary when no `binary` option is given. */
export const YOUKI_BINARY_ENV = "WEFT_YOUKI";

function runtimeOptions(options: RuntimePluginOptions = {}): YoukiRuntimeOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(
      `Invalid youki options ${JSON.stringify(options)}: expected an object`,
      { argument: "options", value: options },
    );
  }
  const binary = options.binary ?? Deno.env.get(YOUKI_BINARY_ENV) ?? "youki";
  if (typeof binary !== "string" || binary === "") {
    throw new InvalidArgumentError(
      `Invalid youki option binary ${JSON.stringify(binary)}: expected a path or a name`,
      { argument: "options.binary", value: binary },
    );
  }
  return { ...options, binary } as YoukiRuntimeOptions;
}

/**
 * The youki plugin, registered under `"youki"` when `@weft/youki` is
 * imported. Its options are {@linkcode YoukiRuntimeOptions}; without a
 * `binary`, the `WEFT_YOUKI` environment variable, then `youki` in PATH.
 *
 * @example
 * ```ts ignore
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/youki";
 *
 * const youki = await selectRuntime("youki", { options: { root: "/run/weft/youki" } });
 * ```
 */
export const youkiPlugin: RuntimePlugin = {
  name: "youki",
  apiVersion: RUNTIME_API_VERSION,
  create(options?: RuntimePluginOptions): YoukiRuntime {
    return new YoukiRuntime(runtimeOptions(options));
  },
  async detect(options?: RuntimePluginOptions): Promise<Detection> {
    let binary: string;
    try {
      const checked = runtimeOptions(options);
      // Refuses --rootless and other bad options here, so selection says why.
      new YoukiRuntime(checked);
      binary = checked.binary!;
    } catch (error) {
      return { available: false, reason: (error as Error).message };
    }
    const found = await findBinary(binary);
    if (found === undefined) {
      const where = binary.includes("/") ? `"${binary}"` : `"${binary}" in PATH`;
      return {
        available: false,
        reason: `youki binary not found: ${where} (set ${YOUKI_BINARY_ENV} or options.binary)`,
      };
    }
    return { available: true, binary: found };
  },
};

registerRuntime(youkiPlugin);
