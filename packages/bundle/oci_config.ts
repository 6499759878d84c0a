/**
 * A mount of an OCI runtime config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciMount } from "@weft/bundle";
 *
 * const proc: OciMount = { destination: "/proc", type: "proc", source: "proc" };
 * assert.equal(proc.type, "proc");
 * ```
 */
export interface OciMount {
  /** Absolute path inside the container. */
  destination: string;
  /** Filesystem type (`proc`, `tmpfs`, `bind`...). */
  type: string;
  /** Device, path or pseudo-filesystem name. */
  source: string;
  /** Mount options. */
  options?: string[];
}

/**
 * A namespace of an OCI runtime config: a new one, or the one at `path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciNamespace } from "@weft/bundle";
 *
 * const joined: OciNamespace = { type: "network", path: "/proc/4242/ns/net" };
 * const own: OciNamespace = { type: "pid" };
 * assert.ok(joined.path !== undefined && own.path === undefined);
 * ```
 */
export interface OciNamespace {
  /** `pid`, `mount`, `ipc`, `uts`, `network`... */
  type: string;
  /** A `/proc/<pid>/ns/<type>` path to join instead of creating one. */
  path?: string;
}

/**
 * A condition on one argument of a system call in an OCI seccomp rule
 * (`SCMP_CMP_MASKED_EQ`: `(arg & value) == valueTwo`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciSeccompArg } from "@weft/bundle";
 *
 * const inetOnly: OciSeccompArg = { index: 0, value: 2, op: "SCMP_CMP_EQ" };
 * assert.equal(inetOnly.value, 2);
 * ```
 */
export interface OciSeccompArg {
  /** The argument, 0 to 5. */
  index: number;
  /** The value compared with (the mask for `SCMP_CMP_MASKED_EQ`). */
  value: number;
  /** The second value (what the masked argument must equal). */
  valueTwo?: number;
  /** `SCMP_CMP_EQ`, `SCMP_CMP_NE`, `SCMP_CMP_MASKED_EQ`... */
  op: string;
}

/**
 * One rule of an OCI seccomp profile: what happens to calls of `names`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciSeccompSyscall } from "@weft/bundle";
 *
 * const rule: OciSeccompSyscall = { names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38 };
 * assert.equal(rule.errnoRet, 38);
 * ```
 */
export interface OciSeccompSyscall {
  /** System call names. */
  names: string[];
  /** `SCMP_ACT_ALLOW`, `SCMP_ACT_ERRNO`... */
  action: string;
  /** The errno of `SCMP_ACT_ERRNO` (or the value of `SCMP_ACT_TRACE`). */
  errnoRet?: number;
  /** Conditions on the arguments, all of which must hold. */
  args?: OciSeccompArg[];
}

/**
 * The `linux.seccomp` of an OCI runtime config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultSeccomp, type OciSeccomp } from "@weft/bundle";
 *
 * const seccomp: OciSeccomp = defaultSeccomp({ arch: "aarch64" });
 * assert.deepEqual(seccomp.architectures, ["SCMP_ARCH_AARCH64"]);
 * ```
 */
export interface OciSeccomp {
  /** What happens to calls no rule matches. */
  defaultAction: string;
  /** The errno of a `SCMP_ACT_ERRNO` default action. */
  defaultErrnoRet?: number;
  /** The `SCMP_ARCH_*` ABIs the filter accepts. */
  architectures?: string[];
  /** `SECCOMP_FILTER_FLAG_*` flags. */
  flags?: string[];
  /** The socket a `SCMP_ACT_NOTIFY` rule's notifications go to. */
  listenerPath?: string;
  /** Metadata passed to the listener. */
  listenerMetadata?: string;
  /** The rules. */
  syscalls?: OciSeccompSyscall[];
}

/**
 * A uid or gid range of a user namespace in an OCI runtime config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciIdMapping } from "@weft/bundle";
 *
 * const mapping: OciIdMapping = { containerID: 0, hostID: 100000, size: 65536 };
 * assert.equal(mapping.hostID, 100000);
 * ```
 */
export interface OciIdMapping {
  /** First id inside the container. */
  containerID: number;
  /** The host id it maps to. */
  hostID: number;
  /** How many ids. */
  size: number;
}

/**
 * A process resource limit of an OCI runtime config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciRlimit } from "@weft/bundle";
 *
 * const nofile: OciRlimit = { type: "RLIMIT_NOFILE", soft: 1024, hard: 524288 };
 * assert.ok(nofile.soft <= nofile.hard);
 * ```
 */
export interface OciRlimit {
  /** `RLIMIT_NOFILE`, `RLIMIT_NPROC`... */
  type: string;
  /** The soft limit. */
  soft: number;
  /** The hard limit. */
  hard: number;
}

/**
 * The OCI runtime `config.json` that {@linkcode generateConfig} writes: the
 * subset of runtime-spec v1.2.1 it uses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateConfig, type OciConfig } from "@weft/bundle";
 *
 * const rootfs = await Deno.makeTempDir();
 * const config: OciConfig = await generateConfig({ rootfs, process: { args: ["sh"] } });
 * assert.ok(config.root.path === rootfs && config.process.args[0] === "sh");
 * await Deno.remove(rootfs);
 * ```
 */
export interface OciConfig {
  /** The spec version the config follows. */
  ociVersion: string;
  /** The container's process. */
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    noNewPrivileges: boolean;
    rlimits?: OciRlimit[];
  };
  /** The root filesystem (absolute path). */
  root: { path: string; readonly: boolean };
  /** The hostname, when the container has its own UTS namespace. */
  hostname?: string;
  /** Mounts, in order. */
  mounts: OciMount[];
  /** Linux-specific settings. */
  linux: {
    namespaces: OciNamespace[];
    uidMappings?: OciIdMapping[];
    gidMappings?: OciIdMapping[];
    seccomp?: OciSeccomp;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    resources?: {
      devices?: { allow: boolean; access?: string }[];
      memory?: { limit: number };
      cpu?: { shares?: number; quota?: number; period?: number };
      pids?: { limit: number };
    };
  };
}
