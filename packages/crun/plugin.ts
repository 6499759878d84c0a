import { type Detection, findBinary, type RuntimePlugin } from "@weft/runtime";
import { type CrunOptions, CrunRuntime } from "./crun_runtime.ts";

/**
 * The crun plugin that importing `@weft/crun` registers: `create` takes
 * {@linkcode CrunOptions}, `detect` looks for the binary.
 *
 * @example
 * ```ts
 * import { crunPlugin } from "@weft/crun";
 *
 * const detection = await crunPlugin.detect();
 * console.log(detection.available ? detection.binary : detection.reason);
 * ```
 */
export const crunPlugin: RuntimePlugin = {
  name: "crun",
  apiVersion: 1,
  create(options: Record<string, unknown> = {}): CrunRuntime {
    return new CrunRuntime(options as CrunOptions);
  },
  async detect(options: Record<string, unknown> = {}): Promise<Detection> {
    const binary = typeof options.binary === "string" ? options.binary : "crun";
    const found = await findBinary(binary);
    return found === undefined
      ? { available: false, reason: `binary "${binary}" not found` }
      : { available: true, binary: found };
  },
};
