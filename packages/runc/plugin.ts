import {
  detectBinary,
  type Detection,
  OCI_CLI_OPTIONS_SCHEMA,
  type RuntimePlugin,
} from "@weft/runtime";
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
  optionsSchema: {
    type: "object",
    properties: {
      ...OCI_CLI_OPTIONS_SCHEMA.properties,
      rootless: {
        enum: [true, false, "auto"],
        description:
          "--rootless: whether runc ignores cgroup permission errors (auto: runc decides).",
      },
    },
    additionalProperties: false,
  },
  create(options: Record<string, unknown> = {}): RuncRuntime {
    return new RuncRuntime(options as RuncOptions);
  },
  detect(options: Record<string, unknown> = {}): Promise<Detection> {
    return detectBinary(typeof options.binary === "string" ? options.binary : "runc");
  },
};
