import { InvalidArgumentError } from "@weft/runtime";

/** Throws the error for an option field that has the wrong shape. */
function invalid(field: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError(
    `Invalid option ${field} ${JSON.stringify(value)}: expected ${expected}`,
    { argument: `options.${field}`, value },
  );
}

/** Checks the fields every runtime option object of this package shares. */
export function checkCommonOptions(options: Record<string, unknown>): void {
  if (typeof options !== "object" || options === null) {
    invalid("", options, "an object");
  }
  const { binary, root, debug, timeout, extraGlobalArgs, systemdCgroup } = options;
  if (binary !== undefined && (typeof binary !== "string" || binary === "")) {
    invalid("binary", binary, "a non-empty path or name");
  }
  if (root !== undefined && (typeof root !== "string" || !root.startsWith("/"))) {
    invalid("root", root, "an absolute path");
  }
  const { logDir } = options;
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
  const { env } = options;
  if (
    env !== undefined &&
    (typeof env !== "object" || env === null || Array.isArray(env) ||
      !Object.values(env).every((v) => typeof v === "string"))
  ) {
    invalid("env", env, "an object of string values");
  }
}

/** Throws unless `value` is undefined or one of `choices`. */
export function checkChoice(field: string, value: unknown, choices: readonly unknown[]): void {
  if (value !== undefined && !choices.includes(value)) {
    invalid(field, value, `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`);
  }
}
