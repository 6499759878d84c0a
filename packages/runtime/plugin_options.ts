import { InvalidArgumentError } from "./errors.ts";
import { MAX_CALL_TIMEOUT } from "./oci_cli.ts";
import type { RuntimePlugin } from "./registry.ts";

/** Throws the error for an option field that has the wrong shape. */
function invalid(field: string, value: unknown, expected: string): never {
  // Bounded: an option may hold megabytes.
  const json = JSON.stringify(value) ?? String(value);
  const shown = json.length > 80 ? `${json.slice(0, 80)}... (${json.length} characters)` : json;
  throw new InvalidArgumentError(
    `Invalid option ${field} ${shown}: expected ${expected}`,
    { argument: `options.${field}`, value },
  );
}

/**
 * Checks the shape of the options every OCI CLI runtime plugin shares, before
 * anything runs: `binary` (a non-empty path or name), `root` and `logDir`
 * (absolute paths), `debug` and `systemdCgroup` (booleans), `timeout` (a
 * positive number of milliseconds), `extraGlobalArgs` (an array of strings)
 * and `env` (an object of string values). Fields it does not know are left
 * to the plugin. Options come from JSON (a pod file's `runtime.options`), so
 * a plugin calls this in its constructor and in `detect`.
 *
 * @param options The plugin's options object.
 * @throws {InvalidArgumentError} naming the field (`options.root`) and what
 * was expected, e.g. `Invalid option root "run": expected an absolute path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkRuntimeOptions, InvalidArgumentError } from "@weft/runtime";
 *
 * checkRuntimeOptions({ root: "/run/weft/mine", timeout: 5000 });
 * try {
 *   checkRuntimeOptions({ root: "run/weft" });
 * } catch (error) {
 *   assert.ok(error instanceof InvalidArgumentError && error.argument === "options.root");
 * }
 * ```
 */
export function checkRuntimeOptions(options: Record<string, unknown>): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    invalid("", options, "an object");
  }
  const { binary, root, logDir, debug, timeout, extraGlobalArgs, systemdCgroup, env } = options;
  if (binary !== undefined && (typeof binary !== "string" || binary === "")) {
    invalid("binary", binary, "a non-empty path or name");
  }
  if (root !== undefined && (typeof root !== "string" || !root.startsWith("/"))) {
    invalid("root", root, "an absolute path");
  }
  if (logDir !== undefined && (typeof logDir !== "string" || !logDir.startsWith("/"))) {
    invalid("logDir", logDir, "an absolute path");
  }
  if (debug !== undefined && typeof debug !== "boolean") invalid("debug", debug, "a boolean");
  if (systemdCgroup !== undefined && typeof systemdCgroup !== "boolean") {
    invalid("systemdCgroup", systemdCgroup, "a boolean");
  }
  if (
    timeout !== undefined &&
    (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0 ||
      timeout > MAX_CALL_TIMEOUT)
  ) {
    invalid("timeout", timeout, `a positive number of milliseconds, at most ${MAX_CALL_TIMEOUT}`);
  }
  if (
    extraGlobalArgs !== undefined &&
    (!Array.isArray(extraGlobalArgs) || !extraGlobalArgs.every((a) => typeof a === "string"))
  ) {
    invalid("extraGlobalArgs", extraGlobalArgs, "an array of strings");
  }
  if (
    env !== undefined &&
    (typeof env !== "object" || env === null || Array.isArray(env) ||
      !Object.values(env).every((v) => typeof v === "string"))
  ) {
    invalid("env", env, "an object of string values");
  }
}

/**
 * Checks that option `field` is absent or one of `choices`, for a plugin's
 * own enumerated options.
 *
 * @param field The option's name, e.g. `"cgroupManager"`.
 * @param value Its value.
 * @param choices The values accepted.
 * @throws {InvalidArgumentError} naming `options.<field>` and listing the
 * choices, e.g. `Invalid option rootless "yes": expected one of true, false, "auto"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkOptionChoice } from "@weft/runtime";
 *
 * checkOptionChoice("cgroupManager", "systemd", ["cgroupfs", "systemd"]);
 * checkOptionChoice("cgroupManager", undefined, ["cgroupfs", "systemd"]);
 * try {
 *   checkOptionChoice("rootless", "yes", [true, false, "auto"]);
 * } catch (error) {
 *   assert.ok((error as Error).message.endsWith('expected one of true, false, "auto"'));
 * }
 * ```
 */
export function checkOptionChoice(
  field: string,
  value: unknown,
  choices: readonly unknown[],
): void {
  if (value !== undefined && !choices.includes(value)) {
    invalid(field, value, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
  }
}

/**
 * The JSON Schema of a plugin's options: an object whose `properties` name
 * every option the plugin takes. A plugin declares it as
 * {@linkcode RuntimePlugin.optionsSchema}; hosts refuse options it does not
 * name, and put it in their own schemas (weft-init's pod file schema).
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import type { PluginOptionsSchema } from "@weft/runtime";
 *
 * const schema: PluginOptionsSchema = {
 *   type: "object",
 *   properties: { inner: { type: "string", description: "The runtime wrapped." } },
 *   additionalProperties: false,
 * };
 * ok("inner" in schema.properties);
 * ```
 */
export interface PluginOptionsSchema {
  /** Always `"object"`. */
  readonly type: "object";
  /** One JSON Schema per option the plugin takes. */
  readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Always `false`: options not named are errors. */
  readonly additionalProperties: false;
}

const ABSOLUTE_PATH = { type: "string", pattern: "^/" };

/**
 * The schema of the options {@linkcode checkRuntimeOptions} checks, which
 * every plugin built on the OCI CLI driver takes; such a plugin spreads its
 * `properties` into its own {@linkcode PluginOptionsSchema}.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { OCI_CLI_OPTIONS_SCHEMA } from "@weft/runtime";
 *
 * deepStrictEqual(Object.keys(OCI_CLI_OPTIONS_SCHEMA.properties), [
 *   "binary", "root", "logDir", "debug", "systemdCgroup", "timeout", "extraGlobalArgs", "env",
 * ]);
 * ```
 */
export const OCI_CLI_OPTIONS_SCHEMA: PluginOptionsSchema = {
  type: "object",
  properties: {
    binary: { type: "string", minLength: 1, description: "The runtime binary (path or name)." },
    root: { ...ABSOLUTE_PATH, description: "The state root (--root)." },
    logDir: { ...ABSOLUTE_PATH, description: "Where the per-call JSON log files go." },
    debug: { type: "boolean", description: "Pass --debug." },
    systemdCgroup: { type: "boolean", description: "Pass --systemd-cgroup." },
    timeout: {
      type: "number",
      exclusiveMinimum: 0,
      maximum: MAX_CALL_TIMEOUT,
      description: "Milliseconds each call may take.",
    },
    extraGlobalArgs: {
      type: "array",
      items: { type: "string" },
      description: "More global arguments, before the subcommand.",
    },
    env: {
      type: "object",
      additionalProperties: { type: "string" },
      description: "Extra environment variables for the runtime process.",
    },
  },
  additionalProperties: false,
};

/**
 * Refuses the options a plugin does not declare in its
 * {@linkcode RuntimePlugin.optionsSchema} (a plugin that declares none takes
 * none), so that a typo in a pod file's `runtime.options` is an error rather
 * than silently ignored. The values are the plugin's to check (its `create`).
 *
 * @throws {InvalidArgumentError} naming `options.<key>` and the options the plugin takes.
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { checkPluginOptionNames, OCI_CLI_OPTIONS_SCHEMA, type RuntimePlugin } from "@weft/runtime";
 *
 * const plugin: RuntimePlugin = {
 *   name: "example",
 *   apiVersion: 1,
 *   optionsSchema: OCI_CLI_OPTIONS_SCHEMA,
 *   create: () => { throw new Error("an example only"); },
 *   detect: () => Promise.resolve({ available: false }),
 * };
 * checkPluginOptionNames(plugin, { root: "/run/x" });
 * throws(() => checkPluginOptionNames(plugin, { nmae: 1 }), /Unknown option nmae of runtime "example"/);
 * ```
 */
export function checkPluginOptionNames(
  plugin: RuntimePlugin,
  options: Readonly<Record<string, unknown>>,
): void {
  const known = plugin.optionsSchema?.properties ?? {};
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(known, key)) continue;
    const names = Object.keys(known);
    const takes = names.length === 0
      ? "it declares no options (optionsSchema)"
      : `it takes ${names.map((name) => JSON.stringify(name)).join(", ")}`;
    throw new InvalidArgumentError(
      `Unknown option ${shorten(key)} of runtime "${plugin.name}": ${takes}`,
      { argument: `options.${key}`, value: options[key] },
    );
  }
}

/** A key as it may appear in a message: at most 80 characters. */
function shorten(key: string): string {
  return key.length > 80 ? `${key.slice(0, 80)}... (${key.length} characters)` : key;
}
