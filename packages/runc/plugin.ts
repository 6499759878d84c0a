import { detectBinary, type Detection, type RuntimePlugin } from "@weft/runtime";
import { type RuncOptions, RuncRuntime } from "./runc_runtime.ts";

/**
 * The runc plugin that importing `@weft/runc` registers: `create` takes
 * {@linkcode RuncOptions}, `detect` looks for the binary.
 *
 * @example
 * ```ts no-assert
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
  detect(options: Record<string, unknown> = {}): Promise<Detection> {
    return detectBinary(typeof options.binary === "string" ? options.binary : "runc");
  },
};
