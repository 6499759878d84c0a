import {
  checkOptionChoice,
  ociCliOptionsFrom,
  OciCliRuntime,
  type OciRuntimeOptions,
} from "@weft/runtime";

/**
 * Options of {@linkcode RuncRuntime}, mapped onto runc's global flags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RuncOptions } from "@weft/runc";
 *
 * const options: RuncOptions = { root: "/run/weft/runc", systemdCgroup: false, rootless: "auto" };
 * assert.equal(options.rootless, "auto");
 * ```
 */
export interface RuncOptions extends OciRuntimeOptions {
  /**
   * `--rootless`: whether runc ignores cgroup permission errors. `"auto"`
   * (runc's default) leaves the flag out.
   * @default {"auto"}
   */
  rootless?: boolean | "auto";
}

/**
 * The runc runtime: {@linkcode OciCliRuntime} with runc's global flags.
 * runc says `container does not exist` for an unknown id, which the shared
 * driver already recognizes.
 *
 * @example
 * ```ts ignore
 * import { RuncRuntime } from "@weft/runc";
 *
 * const runc = new RuncRuntime({ root: "/run/weft/runc" });
 * console.log(await runc.state("web"));
 * ```
 */
export class RuncRuntime extends OciCliRuntime {
  /** Creates the runtime; nothing runs until a call. */
  constructor(options: RuncOptions = {}) {
    checkOptionChoice("rootless", options.rootless, [true, false, "auto"]);
    super({
      ...ociCliOptionsFrom("runc", options, runcGlobalArgs(options)),
      logOnStderr: true,
    });
  }
}

/**
 * The global flags of runc beyond `--root`, `--log` and `--debug` (which the
 * driver writes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runcGlobalArgs } from "@weft/runc";
 *
 * const args = runcGlobalArgs({ systemdCgroup: true, rootless: false });
 * assert.equal(args.join(" "), "--systemd-cgroup --rootless=false");
 * ```
 */
export function runcGlobalArgs(options: RuncOptions): string[] {
  const args: string[] = [];
  if (options.systemdCgroup) args.push("--systemd-cgroup");
  if (options.rootless !== undefined && options.rootless !== "auto") {
    args.push(`--rootless=${options.rootless}`);
  }
  args.push(...(options.extraGlobalArgs ?? []));
  return args;
}
