import { InvalidArgumentError } from "./errors.ts";

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
    (typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0)
  ) {
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
