import { binaryPlugin, ociCliOptionsSchema, type RuntimePlugin } from "@weft/runtime";
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
export const crunPlugin: RuntimePlugin = binaryPlugin(
  "crun",
  (options) => new CrunRuntime(options as CrunOptions),
  ociCliOptionsSchema({
    cgroupManager: {
      enum: ["cgroupfs", "systemd", "disabled"],
      description: "--cgroup-manager (disabled: no cgroups, for hybrid v1/v2 hosts).",
    },
  }),
);
