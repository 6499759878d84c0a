import { binaryPlugin, ociCliOptionsSchema, type RuntimePlugin } from "@weft/runtime";
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
export const runcPlugin: RuntimePlugin = binaryPlugin(
  "runc",
  (options) => new RuncRuntime(options as RuncOptions),
  ociCliOptionsSchema({
    rootless: {
      enum: [true, false, "auto"],
      description:
        "--rootless: whether runc ignores cgroup permission errors (auto: runc decides).",
    },
  }),
);
