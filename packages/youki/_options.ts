import { checkRuntimeOptions, InvalidArgumentError } from "@weft/runtime";

/** Checks the shape of every field of youki's options, before anything runs. */
export function checkYoukiOptions(options: Record<string, unknown>): void {
  checkRuntimeOptions(options);
  const { extraGlobalArgs, rootless } = options;
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
