import { InvalidArgumentError } from "@weft/runtime";

function invalid(field: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError(
    `Invalid option ${field} ${JSON.stringify(value)}: expected ${expected}`,
    { argument: `options.${field}`, value },
  );
}

/** Checks the shape of every field of youki's options, before anything runs. */
export function checkYoukiOptions(options: Record<string, unknown>): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    invalid("", options, "an object");
  }
  const { binary, root, debug, timeout, extraGlobalArgs, systemdCgroup, rootless } = options;
  if (binary !== undefined && (typeof binary !== "string" || binary === "")) {
    invalid("binary", binary, "a non-empty path or name");
  }
  if (root !== undefined && (typeof root !== "string" || !root.startsWith("/"))) {
    invalid("root", root, "an absolute path");
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
  // youki decides rootless mode itself (rootpath.rs: by its uid, or
  // YOUKI_USE_ROOTLESS): a flag would make clap refuse the command line.
  if (rootless !== undefined && rootless !== "auto") {
    throw new InvalidArgumentError(
      `Invalid option rootless ${
        JSON.stringify(rootless)
      } for youki: youki has no --rootless flag; it runs rootless by itself when started by a non-root user (or with YOUKI_USE_ROOTLESS=true in its environment), so leave rootless unset or "auto"`,
      { argument: "options.rootless", value: rootless },
    );
  }
  const flag = ((extraGlobalArgs ?? []) as string[]).find((arg) => /^--rootless(=|$)/.test(arg));
  if (flag !== undefined) {
    throw new InvalidArgumentError(
      `Invalid option extraGlobalArgs: ${
        JSON.stringify(flag)
      } is not a youki flag (youki has no --rootless) and youki would refuse the whole command line`,
      { argument: "options.extraGlobalArgs", value: extraGlobalArgs },
    );
  }
}
