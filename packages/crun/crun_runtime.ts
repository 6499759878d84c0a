import { checkOptionChoice, checkRuntimeOptions, OciCliRuntime } from "@weft/runtime";

/**
 * The state root {@linkcode CrunRuntime} uses when none is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CRUN_ROOT } from "@weft/crun";
 *
 * assert.equal(DEFAULT_CRUN_ROOT, "/run/weft/crun");
 * ```
 */
export const DEFAULT_CRUN_ROOT = "/run/weft/crun";

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
export interface CrunOptions {
  /** The crun binary: a path, or a name searched in PATH. @default {"crun"} */
  binary?: string;
  /** State root (`--root`), an absolute path. @default {DEFAULT_CRUN_ROOT} */
  root?: string;
  /** Pass `--debug`. @default {false} */
  debug?: boolean;
  /** Timeout of each call in milliseconds. @default {30000} */
  timeout?: number;
  /**
   * `--cgroup-manager`: `"disabled"` runs containers without cgroups (for
   * hosts where crun cannot use them, such as a hybrid v1/v2 host).
   * @default {crun's own default (systemd when it runs under systemd, else cgroupfs)}
   */
  cgroupManager?: CrunCgroupManager;
  /** Pass `--systemd-cgroup` (the same as `cgroupManager: "systemd"`). @default {false} */
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
    checkRuntimeOptions(options as Record<string, unknown>);
    checkOptionChoice("cgroupManager", options.cgroupManager, ["cgroupfs", "systemd", "disabled"]);
    const root = options.root ?? DEFAULT_CRUN_ROOT;
    super({
      name: "crun",
      binary: options.binary ?? "crun",
      root,
      logDir: options.logDir ?? (root.slice(0, root.lastIndexOf("/")) || "/"),
      debug: options.debug,
      timeout: options.timeout,
      env: options.env,
      globalArgs: crunGlobalArgs(options),
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
