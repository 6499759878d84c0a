import type { OciSeccomp } from "./oci_config.ts";
import type { RlimitsSpec } from "./rlimits.ts";
import type { UserNamespaceSpec } from "./user_namespace.ts";

/**
 * A container described by its root filesystem and process, from which
 * {@linkcode generateConfig} builds an OCI runtime `config.json`. Plain JSON
 * (the init's configuration embeds it as is); the field names below are the
 * JSON field names. Only `rootfs` is required, and `process.args` unless an
 * image config or `process.entrypoint` gives the command.
 *
 * @example
 * ```ts no-assert
 * import type { ContainerSpec } from "@weft/bundle";
 *
 * const spec: ContainerSpec = {
 *   rootfs: "/srv/images/web/rootfs",
 *   process: { args: ["httpd", "-f"], env: ["PORT=80"], user: "www-data" },
 *   hostname: "web",
 *   readonlyRootfs: true,
 *   mounts: [{ type: "tmpfs", destination: "/tmp", size: "16m" }],
 *   resources: { memoryLimit: "64m", pidsLimit: 100 },
 * };
 * ```
 */
export interface ContainerSpec {
  /**
   * Absolute path of the root filesystem, an existing directory. The bundle
   * refers to it by this path; it is never copied.
   */
  rootfs: string;
  /** The container's process. @default {{}} */
  process?: ProcessSpec;
  /**
   * The container's hostname. Not allowed when the container joins another
   * container's UTS namespace (`pod.share` holds `"uts"`).
   * @default {the container id given to writeBundle, if any}
   */
  hostname?: string;
  /** Extra mounts, after the standard ones (/proc, /dev, /sys...). @default {[]} */
  mounts?: MountSpec[];
  /** Cgroup limits. @default {no limits} */
  resources?: ResourcesSpec;
  /** Mount the root filesystem read-only. @default {false} */
  readonlyRootfs?: boolean;
  /**
   * Absolute path of an OCI image config JSON (what an image puller writes:
   * `config.Entrypoint`, `Cmd`, `Env`, `WorkingDir`, `User`). It fills what
   * `process` leaves out, with Docker's precedence. @default {none}
   */
  imageConfig?: string;
  /**
   * Every capability of the caller's bounding set, no masked or read-only /proc paths, /sys and the cgroup
   * mount writable, every device allowed, `noNewPrivileges` off. Explicit
   * because it gives the container the host. @default {false}
   */
  privileged?: boolean;
  /** Join namespaces of another container of the same pod. @default {own namespaces} */
  pod?: PodSpec;
  /**
   * The seccomp filter: `"default"` ({@linkcode DEFAULT_SECCOMP_PROFILE}),
   * `"unconfined"` (none), the absolute path of a profile in OCI's
   * `linux.seccomp` JSON, or such a profile inline. Checked before anything
   * runs (unknown system call names are refused).
   * @default {"default", or "unconfined" when privileged}
   */
  seccomp?: "default" | "unconfined" | string | OciSeccomp;
  /**
   * Resource limits by name (`nofile`, `nproc`, `core`...): a number for both
   * limits or `{soft, hard}`. @default {DEFAULT_RLIMITS (nofile 1024/524288)}
   */
  rlimits?: RlimitsSpec;
  /**
   * Run in a user namespace of its own with these id ranges, so that root
   * inside is an unprivileged host uid. Not with `pod` or `privileged`.
   * @default {the host's user namespace}
   */
  userNamespace?: UserNamespaceSpec;
}

/**
 * The process of a {@linkcode ContainerSpec}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeImageConfig, type ProcessSpec } from "@weft/bundle";
 *
 * const process: ProcessSpec = { args: ["httpd", "-f"], env: ["PORT=80"], cwd: "/srv", user: "33:33" };
 * assert.equal(mergeImageConfig(process).cwd, "/srv");
 * ```
 */
export interface ProcessSpec {
  /**
   * The command: replaces the image's `Cmd` and follows the entrypoint (as
   * `docker run IMAGE ARGS...`). @default {the image's Cmd, unless entrypoint is given}
   */
  args?: string[];
  /**
   * Replaces the image's `Entrypoint` (as `docker run --entrypoint`); the
   * image's `Cmd` is then dropped too. `[]` clears the entrypoint.
   * @default {the image's Entrypoint}
   */
  entrypoint?: string[];
  /**
   * Environment entries `NAME=value`; they override the image's entries of
   * the same name. @default {the image's Env; PATH and HOME are added when missing}
   */
  env?: string[];
  /** Absolute working directory. @default {the image's WorkingDir, else "/"} */
  cwd?: string;
  /**
   * `uid:gid`, `uid`, or a user name (optionally `name:group`) looked up in
   * the rootfs's `/etc/passwd` and `/etc/group`. @default {the image's User, else "0:0"}
   */
  user?: string;
}

/**
 * A bind mount.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BindMountSpec } from "@weft/bundle";
 *
 * const data: BindMountSpec = { type: "bind", source: "/srv/data", destination: "/data", readonly: true };
 * assert.ok(data.readonly);
 * ```
 */
export interface BindMountSpec {
  /** The kind of mount. */
  type: "bind";
  /** Absolute path on the host; it must exist. */
  source: string;
  /** Absolute path inside the container. */
  destination: string;
  /** Mount read-only. @default {false} */
  readonly?: boolean;
  /** Extra mount options, e.g. `["nosuid"]`. @default {[]} */
  options?: string[];
}

/**
 * A tmpfs mount.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { TmpfsMountSpec } from "@weft/bundle";
 *
 * const scratch: TmpfsMountSpec = { type: "tmpfs", destination: "/tmp", size: "16m", mode: "1777" };
 * assert.equal(scratch.size, "16m");
 * ```
 */
export interface TmpfsMountSpec {
  /** The kind of mount. */
  type: "tmpfs";
  /** Absolute path inside the container. */
  destination: string;
  /** Size limit: bytes, or a string with a k/m/g suffix. @default {the kernel's: half of RAM} */
  size?: number | string;
  /** Permissions of the mount's root, e.g. `"1777"` or `0o1777`. @default {"1777"} */
  mode?: number | string;
  /** Mount read-only. @default {false} */
  readonly?: boolean;
  /** Extra mount options. @default {[]} */
  options?: string[];
}

/**
 * An extra mount of a {@linkcode ContainerSpec}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MountSpec, parseContainerSpec } from "@weft/bundle";
 *
 * const mounts: MountSpec[] = [
 *   { type: "bind", source: "/srv/data", destination: "/data" },
 *   { type: "tmpfs", destination: "/tmp" },
 * ];
 * assert.ok(parseContainerSpec({ rootfs: "/srv/web", mounts }).mounts?.length === 2);
 * ```
 */
export type MountSpec = BindMountSpec | TmpfsMountSpec;

/**
 * Cgroup limits of a {@linkcode ContainerSpec}; a limit left out is not set.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseContainerSpec, type ResourcesSpec } from "@weft/bundle";
 *
 * const resources: ResourcesSpec = { memoryLimit: "64m", cpuQuota: 50_000, pidsLimit: 100 };
 * assert.ok(parseContainerSpec({ rootfs: "/srv/web", resources }).resources !== undefined);
 * ```
 */
export interface ResourcesSpec {
  /** Memory limit: bytes, or a string with a k/m/g suffix (`"64m"`). */
  memoryLimit?: number | string;
  /** Relative CPU weight (cgroup v1 shares; runtimes map it to v2 `cpu.weight`). */
  cpuShares?: number;
  /** CPU time allowed per period, in microseconds. */
  cpuQuota?: number;
  /** The period `cpuQuota` applies to, in microseconds. @default {100000 when cpuQuota is set} */
  cpuPeriod?: number;
  /** Most processes (and threads) the container may hold. */
  pidsLimit?: number;
}

/**
 * Namespaces a pod's containers can share.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PodNamespace } from "@weft/bundle";
 *
 * // Share the network only: each container keeps its own hostname and IPC.
 * const share: PodNamespace[] = ["network"];
 * assert.equal(share.length, 1);
 * ```
 */
export type PodNamespace = "network" | "ipc" | "uts";

/**
 * Pod membership: join the namespaces of another container (the pod's first
 * container, or a pause-like holder process) through `/proc/<pid>/ns/<type>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseContainerSpec, type PodSpec } from "@weft/bundle";
 *
 * const pod: PodSpec = { pid: 4242, share: ["network", "ipc"] };
 * assert.ok(parseContainerSpec({ rootfs: "/srv/sidecar", pod }).pod?.pid === 4242);
 * ```
 */
export interface PodSpec {
  /** Host pid of a process already in the namespaces to join (e.g. the first container's init). */
  pid: number;
  /** Which namespaces to join. @default {["network", "ipc", "uts"]} */
  share?: PodNamespace[];
}
