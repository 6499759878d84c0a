import { type Detection, findBinary, type RuntimePlugin } from "@weft/runtime";
import { type RuncOptions, RuncRuntime } from "./runc_runtime.ts";

/**
 * The runc plugin that importing `@weft/runc` registers: `create` takes
 * {@linkcode RuncOptions}, `detect` looks for the binary.
 *
 * @example
 * ```ts
 * import { runcPlugin } from "@weft/runc";
 *
 * const detection = await runcPlugin.detect();
 * console.log(detection.available ? detection.binary : detection.reason);
 * ```
 */
export const runcPlugin: RuntimePlugin = {
  name: "runc",
  apiVersion: 1,
  create(options: Record<string, unknown> = {}): RuncRuntime {
    return new RuncRuntime(options as RuncOptions);
  },
  async detect(options: Record<string, unknown> = {}): Promise<Detection> {
    const binary = typeof options.binary === "string" ? options.binary : "runc";
    const found = await findBinary(binary);
    return found === undefined
      ? { available: false, reason: `binary "${binary}" not found` }
      : { available: true, binary: found };
  },
};
