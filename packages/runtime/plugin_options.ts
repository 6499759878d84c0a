import { InvalidArgumentError } from "./errors.ts";
import { parentDir } from "./path.ts";
import type { OciCliOptions } from "./oci_cli_options.ts";

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
  throw new InvalidArgumentError(
    `Invalid option ${field} ${JSON.stringify(value)}: expected ${expected}`,
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
 * import { checkRuntimeOptions, InvalidArgumentError } from "@weft/runtime";
 *
 * checkRuntimeOptions({ root: "/run/weft/mine", timeout: 5000 });
 * try {
 *   checkRuntimeOptions({ root: "run/weft" });
 * } catch (error) {
 *   console.assert(error instanceof InvalidArgumentError && error.argument === "options.root");
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
  if (timeout !== undefined && !isPositiveDuration(timeout)) {
    invalid("timeout", timeout, "a positive number of milliseconds");
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
 * import { checkOptionChoice } from "@weft/runtime";
 *
 * checkOptionChoice("cgroupManager", "systemd", ["cgroupfs", "systemd"]);
 * checkOptionChoice("cgroupManager", undefined, ["cgroupfs", "systemd"]);
 * try {
 *   checkOptionChoice("rootless", "yes", [true, false, "auto"]);
 * } catch (error) {
 *   console.assert((error as Error).message.endsWith('expected one of true, false, "auto"'));
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
