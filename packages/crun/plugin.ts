import {
  detectBinary,
  type Detection,
  OCI_CLI_OPTIONS_SCHEMA,
  type RuntimePlugin,
} from "@weft/runtime";
import { type CrunOptions, CrunRuntime } from "./crun_runtime.ts";

/**
 * The crun plugin that importing `@weft/crun` registers: `create` takes
 * {@linkcode CrunOptions}, `detect` looks for the binary.
 *
 * @example
 * ```ts no-assert
 * import { crunPlugin } from "@weft/crun";
 *
 * const detection = await crunPlugin.detect();
 * console.log(detection.available ? detection.binary : detection.reason);
 * ```
 */
export const crunPlugin: RuntimePlugin = {
  name: "crun",
  apiVersion: 1,
  optionsSchema: {
    type: "object",
    properties: {
      ...OCI_CLI_OPTIONS_SCHEMA.properties,
      cgroupManager: {
        enum: ["cgroupfs", "systemd", "disabled"],
        description: "--cgroup-manager (disabled: no cgroups, for hybrid v1/v2 hosts).",
      },
    },
    additionalProperties: false,
  },
  create(options: Record<string, unknown> = {}): CrunRuntime {
    return new CrunRuntime(options as CrunOptions);
  },
  detect(options: Record<string, unknown> = {}): Promise<Detection> {
    return detectBinary(typeof options.binary === "string" ? options.binary : "crun");
  },
};
