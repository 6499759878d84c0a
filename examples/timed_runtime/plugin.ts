import {
  type Detection,
  getRuntimePlugin,
  InvalidArgumentError,
  registerRuntime,
  RUNTIME_API_VERSION,
  type RuntimePlugin,
  type RuntimePluginOptions,
} from "@weft/runtime";
import { TimedRuntime } from "./timed_runtime.ts";

/** The options of the `"timed"` plugin. */
export interface TimedPluginOptions {
  /** The registered runtime to wrap, by name (for example `"runc"`). */
  inner: string;
  /**
   * Options handed to the inner plugin. The common options a host gives
   * every plugin (`binary`, `root`, `timeout`, as weft-init does) are passed
   * on to the inner plugin unless set here.
   * @default {{}}
   */
  innerOptions?: RuntimePluginOptions;
  /** How many call records are kept. @default {10000} */
  maxRecords?: number;
}

function checkOptions(options: RuntimePluginOptions = {}): TimedPluginOptions {
  const { inner, innerOptions = {}, maxRecords, binary, root, timeout } = options;
  if (typeof inner !== "string" || inner === "" || inner === "auto" || inner === "timed") {
    throw new InvalidArgumentError(
      `Invalid timed option inner ${
        JSON.stringify(inner)
      }: expected the name of another registered runtime, such as "runc"`,
      { argument: "options.inner", value: inner },
    );
  }
  if (typeof innerOptions !== "object" || innerOptions === null || Array.isArray(innerOptions)) {
    throw new InvalidArgumentError(
      `Invalid timed option innerOptions ${JSON.stringify(innerOptions)}: expected an object`,
      { argument: "options.innerOptions", value: innerOptions },
    );
  }
  // A host sets these for "the runtime" it selected; they are the inner one's.
  const common = Object.fromEntries(
    Object.entries({ binary, root, timeout }).filter(([, value]) => value !== undefined),
  );
  return {
    inner,
    innerOptions: { ...common, ...innerOptions as RuntimePluginOptions },
    maxRecords: maxRecords as number | undefined,
  };
}

/**
 * The `"timed"` plugin: wraps the registered runtime named in
 * `options.inner` in a {@linkcode TimedRuntime}. Registered when this module
 * is imported, for example by `loadRuntimePlugins`.
 *
 * @example
 * ```ts ignore
 * import { loadRuntimePlugins, selectRuntime } from "@weft/runtime";
 * import "@weft/runc";
 *
 * await loadRuntimePlugins(["./examples/timed_runtime/mod.ts"]);
 * const runtime = await selectRuntime("timed", {
 *   options: { inner: "runc", innerOptions: { root: "/run/weft/runc" } },
 * });
 * ```
 */
export const timedRuntimePlugin: RuntimePlugin = {
  name: "timed",
  apiVersion: RUNTIME_API_VERSION,
  // What weft-init checks a pod file's runtime.options against: other keys are errors.
  optionsSchema: {
    type: "object",
    properties: {
      inner: { type: "string", minLength: 1, description: "The registered runtime to wrap." },
      innerOptions: { type: "object", description: "Options handed to the inner plugin." },
      maxRecords: { type: "integer", minimum: 1, description: "How many call records are kept." },
      binary: { type: "string", description: "Passed on to the inner plugin." },
      root: { type: "string", description: "Passed on to the inner plugin." },
      timeout: { type: "number", description: "Passed on to the inner plugin." },
    },
    additionalProperties: false,
  },
  create(options?: RuntimePluginOptions): TimedRuntime {
    const { inner, innerOptions, maxRecords } = checkOptions(options);
    return new TimedRuntime(getRuntimePlugin(inner).create(innerOptions), { maxRecords });
  },
  async detect(options?: RuntimePluginOptions): Promise<Detection> {
    let checked: TimedPluginOptions;
    try {
      checked = checkOptions(options);
      const detection = await getRuntimePlugin(checked.inner).detect(checked.innerOptions);
      if (detection.available) return detection;
      return {
        available: false,
        reason: `its inner runtime "${checked.inner}" is not available: ${
          detection.reason ?? "its plugin says so"
        }`,
      };
    } catch (error) {
      return { available: false, reason: (error as Error).message };
    }
  },
};

registerRuntime(timedRuntimePlugin);
