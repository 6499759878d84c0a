import { InvalidArgumentError } from "./errors.ts";
import { MAX_CALL_TIMEOUT, type OciCliOptions } from "./oci_cli_options.ts";
import { parentDir } from "./path.ts";
import type { RuntimePlugin } from "./registry.ts";

/**
 * Whether `value` is a usable duration or count: a finite number above 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPositiveDuration } from "@weft/runtime";
 *
 * assert.equal(isPositiveDuration(500), true);
 * assert.equal(isPositiveDuration(0), false);
 * assert.equal(isPositiveDuration(Infinity), false);
 * ```
 */
export function isPositiveDuration(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/**
 * Whether `value` is a usable call timeout: a positive duration of at most
 * {@linkcode MAX_CALL_TIMEOUT} milliseconds (the longest a timer can wait).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isCallTimeout } from "@weft/runtime";
 *
 * assert.equal(isCallTimeout(30_000), true);
 * assert.equal(isCallTimeout(2 ** 31), false);
 * ```
 */
export function isCallTimeout(value: unknown): value is number {
  return isPositiveDuration(value) && value <= MAX_CALL_TIMEOUT;
}

/**
 * The options every runc-compatible runtime plugin takes (crun, runc, youki
 * extend it with their own), as {@linkcode checkRuntimeOptions} checks them
 * and {@linkcode ociCliOptionsFrom} maps them onto the shared driver.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciRuntimeOptions } from "@weft/runtime";
 *
 * const options: OciRuntimeOptions = { root: "/run/weft/mine", timeout: 10_000 };
 * assert.equal(options.timeout, 10_000);
 * ```
 */
export interface OciRuntimeOptions {
  /** The binary: a path, or a name searched in PATH. @default {the runtime's name} */
  binary?: string;
  /** State root (`--root`), an absolute path. @default {`/run/weft/<name>`} */
  root?: string;
  /** Pass `--debug`. @default {false} */
  debug?: boolean;
  /** Timeout of each call in milliseconds. @default {DEFAULT_CALL_TIMEOUT} */
  timeout?: number;
  /** Pass `--systemd-cgroup` (cgroups through systemd). @default {false} */
  systemdCgroup?: boolean;
  /** More global arguments, placed before the subcommand. @default {[]} */
  extraGlobalArgs?: readonly string[];
  /** Extra environment variables for the runtime process. @default {{}} */
  env?: Record<string, string>;
  /**
   * Where the per-call JSON log files are created (and removed after each
   * call). The default, the directory holding the state root, is weft's own
   * and usually a tmpfs, where creating files is cheap.
   * @default {the parent directory of root}
   */
  logDir?: string;
}

/**
 * The driver options ({@linkcode OciCliOptions}) of the runtime `name` from
 * its plugin options, once {@linkcode checkRuntimeOptions} has accepted them: the binary (default `name`), the state root (default
 * `/run/weft/<name>`), the log directory (default: the root's parent),
 * `debug`, `timeout`, `env`, and the global arguments: the plugin's own
 * `globalArgs` (which include `extraGlobalArgs`).
 *
 * @throws {InvalidArgumentError} naming a shared option of the wrong shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ociCliOptionsFrom } from "@weft/runtime";
 *
 * const options = ociCliOptionsFrom("runc", { timeout: 5000 }, []);
 * assert.equal(options.root, "/run/weft/runc");
 * assert.equal(options.logDir, "/run/weft");
 * ```
 */
export function ociCliOptionsFrom(
  name: string,
  options: OciRuntimeOptions,
  globalArgs: readonly string[],
): OciCliOptions {
  checkRuntimeOptions(options as Record<string, unknown>);
  const root = options.root ?? `/run/weft/${name}`;
  return {
    name,
    binary: options.binary ?? name,
    root,
    logDir: options.logDir ?? parentDir(root),
    debug: options.debug,
    timeout: options.timeout,
    env: options.env,
    globalArgs,
  };
}

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
  if (timeout !== undefined && !isCallTimeout(timeout)) {
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
 * The {@linkcode PluginOptionsSchema} of a plugin built on the OCI CLI
 * driver: {@linkcode OCI_CLI_OPTIONS_SCHEMA} and the plugin's own options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ociCliOptionsSchema } from "@weft/runtime";
 *
 * const schema = ociCliOptionsSchema({ fast: { type: "boolean", description: "Go fast." } });
 * assert.ok("root" in schema.properties && "fast" in schema.properties);
 * ```
 */
export function ociCliOptionsSchema(
  own: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): PluginOptionsSchema {
  return {
    type: "object",
    properties: { ...OCI_CLI_OPTIONS_SCHEMA.properties, ...own },
    additionalProperties: false,
  };
}

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
