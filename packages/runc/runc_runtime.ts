import { checkOptionChoice, checkRuntimeOptions, OciCliRuntime } from "@weft/runtime";

/**
 * The state root {@linkcode RuncRuntime} uses when none is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_RUNC_ROOT } from "@weft/runc";
 *
 * assert.equal(DEFAULT_RUNC_ROOT, "/run/weft/runc");
 * ```
 */
export const DEFAULT_RUNC_ROOT = "/run/weft/runc";

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
export interface RuncOptions {
  /** The runc binary: a path, or a name searched in PATH. @default {"runc"} */
  binary?: string;
  /** State root (`--root`), an absolute path. @default {DEFAULT_RUNC_ROOT} */
  root?: string;
  /** Pass `--debug`. @default {false} */
  debug?: boolean;
  /** Timeout of each call in milliseconds. @default {30000} */
  timeout?: number;
  /** Pass `--systemd-cgroup` (cgroups through systemd). @default {false} */
  systemdCgroup?: boolean;
  /**
   * `--rootless`: whether runc ignores cgroup permission errors. `"auto"`
   * (runc's default) leaves the flag out.
   * @default {"auto"}
   */
  rootless?: boolean | "auto";
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
    checkRuntimeOptions(options as Record<string, unknown>);
    checkOptionChoice("rootless", options.rootless, [true, false, "auto"]);
    const root = options.root ?? DEFAULT_RUNC_ROOT;
    super({
      name: "runc",
      binary: options.binary ?? "runc",
      root,
      logDir: options.logDir ?? (root.slice(0, root.lastIndexOf("/")) || "/"),
      debug: options.debug,
      timeout: options.timeout,
      env: options.env,
      globalArgs: runcGlobalArgs(options),
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
