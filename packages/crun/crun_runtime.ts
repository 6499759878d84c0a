import {
  checkOptionChoice,
  ociCliOptionsFrom,
  OciCliRuntime,
  type OciRuntimeOptions,
} from "@weft/runtime";

/**
 * The cgroup managers crun accepts for `--cgroup-manager`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CrunCgroupManager, crunGlobalArgs } from "@weft/crun";
 *
 * const cgroupManager: CrunCgroupManager = "disabled";
 * assert.equal(crunGlobalArgs({ cgroupManager })[0], "--cgroup-manager=disabled");
 * ```
 */
export type CrunCgroupManager = "cgroupfs" | "systemd" | "disabled";

/**
 * Options of {@linkcode CrunRuntime}, mapped onto crun's global flags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CrunOptions } from "@weft/crun";
 *
 * const options: CrunOptions = { root: "/run/weft/crun", cgroupManager: "disabled", timeout: 10_000 };
 * assert.equal(options.timeout, 10_000);
 * ```
 */
export interface CrunOptions extends OciRuntimeOptions {
  /**
   * `--cgroup-manager`: `"disabled"` runs containers without cgroups (for
   * hosts where crun cannot use them, such as a hybrid v1/v2 host).
   * @default {crun's own default (systemd when it runs under systemd, else cgroupfs)}
   */
  cgroupManager?: CrunCgroupManager;
}

/**
 * crun 1.8.1 answers `state` of an unknown id with
 * ``error opening file `<root>/<id>/status`: No such file or directory``,
 * and `delete` with `cannot open directory '<root>/<id>': ...`; crun 1.22
 * and later prefix ``container `<id>` does not exist``, which the shared
 * `does not exist` pattern already matches.
 */
const NOT_FOUND: readonly RegExp[] = [
  /error opening file `[^`]*\/status`: No such file or directory/,
  /cannot open directory '[^']*': No such file or directory/,
];

/**
 * The crun runtime: {@linkcode OciCliRuntime} with crun's global flags and
 * the way crun says that a container does not exist.
 *
 * @example
 * ```ts ignore
 * import { CrunRuntime } from "@weft/crun";
 *
 * const crun = new CrunRuntime({ root: "/run/weft/crun", cgroupManager: "disabled" });
 * console.log(await crun.state("web"));
 * ```
 */
export class CrunRuntime extends OciCliRuntime {
  /** Creates the runtime; nothing runs until a call. */
  constructor(options: CrunOptions = {}) {
    checkOptionChoice("cgroupManager", options.cgroupManager, ["cgroupfs", "systemd", "disabled"]);
    super({
      ...ociCliOptionsFrom("crun", options, crunGlobalArgs(options)),
      notFoundPatterns: NOT_FOUND,
      logOnStderr: true,
    });
  }
}

/**
 * The global flags of crun beyond `--root`, `--log` and `--debug` (which the
 * driver writes), in the `--flag=value` form crun's argp parser documents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crunGlobalArgs } from "@weft/crun";
 *
 * const args = crunGlobalArgs({ cgroupManager: "disabled" });
 * assert.equal(args.join(" "), "--cgroup-manager=disabled");
 * ```
 */
export function crunGlobalArgs(options: CrunOptions): string[] {
  const args: string[] = [];
  if (options.cgroupManager !== undefined) args.push(`--cgroup-manager=${options.cgroupManager}`);
  if (options.systemdCgroup) args.push("--systemd-cgroup");
  args.push(...(options.extraGlobalArgs ?? []));
  return args;
}
