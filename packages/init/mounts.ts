import { getLogger } from "@logtape/logtape";
import { mount } from "./_libc.ts";
import { type MountInfoEntry, readMountInfo } from "./mount_info.ts";
import { enableCgroupControllers } from "./cgroup_controllers.ts";

const logger = getLogger(["weft", "init", "mounts"]);

const MS_NOSUID = 2;
const MS_NODEV = 4;
const MS_NOEXEC = 8;

/**
 * A filesystem {@linkcode mountPseudoFilesystems} mounts when it is absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PseudoFilesystem } from "@weft/init/mounts";
 *
 * const MS_NOSUID = 2, MS_NODEV = 4;
 * const scratch: PseudoFilesystem = { fstype: "tmpfs", target: "/scratch", flags: MS_NOSUID | MS_NODEV };
 * assert.equal(scratch.fstype, "tmpfs");
 * ```
 */
export interface PseudoFilesystem {
  /** Filesystem type, e.g. `"proc"`. */
  fstype: string;
  /** Absolute mount point, below `root`. */
  target: string;
  /** The source string given to mount(2). @default {fstype} */
  source?: string;
  /** mount(2) flags (MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, ...). @default {0} */
  flags?: number;
  /** Filesystem-specific options, e.g. `"mode=1777"`. */
  data?: string;
}

/**
 * What a PID 1 mounts for container runtimes, in order: proc, sysfs,
 * devtmpfs, devpts (a new instance), /dev/shm, /run and cgroup2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PSEUDO_FILESYSTEMS } from "@weft/init/mounts";
 *
 * const targets = DEFAULT_PSEUDO_FILESYSTEMS.map((fs) => fs.target);
 * assert.ok(targets[0] === "/proc" && targets.includes("/sys/fs/cgroup"));
 * ```
 */
export const DEFAULT_PSEUDO_FILESYSTEMS: readonly PseudoFilesystem[] = [
  { fstype: "proc", target: "/proc", flags: MS_NOSUID | MS_NODEV | MS_NOEXEC },
  { fstype: "sysfs", target: "/sys", flags: MS_NOSUID | MS_NODEV | MS_NOEXEC },
  { fstype: "devtmpfs", target: "/dev", flags: MS_NOSUID, data: "mode=0755" },
  {
    fstype: "devpts",
    target: "/dev/pts",
    flags: MS_NOSUID | MS_NOEXEC,
    data: "newinstance,ptmxmode=0666,mode=0620,gid=5",
  },
  {
    fstype: "tmpfs",
    source: "shm",
    target: "/dev/shm",
    flags: MS_NOSUID | MS_NODEV,
    data: "mode=1777",
  },
  { fstype: "tmpfs", target: "/run", flags: MS_NOSUID | MS_NODEV, data: "mode=0755" },
  {
    fstype: "cgroup2",
    source: "cgroup2",
    target: "/sys/fs/cgroup",
    flags: MS_NOSUID | MS_NODEV | MS_NOEXEC,
  },
];

/**
 * What a PID 1 of a PID namespace (not of the machine) mounts: the same as
 * {@linkcode DEFAULT_PSEUDO_FILESYSTEMS} but /run. A fresh tmpfs there would
 * hide the host's /run from the init, and with it the default status file
 * (/run/weft/status.json) that the host reads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NAMESPACE_PSEUDO_FILESYSTEMS } from "@weft/init/mounts";
 *
 * assert.ok(!NAMESPACE_PSEUDO_FILESYSTEMS.some((fs) => fs.target === "/run"));
 * ```
 */
export const NAMESPACE_PSEUDO_FILESYSTEMS: readonly PseudoFilesystem[] = DEFAULT_PSEUDO_FILESYSTEMS
  .filter((fs) => fs.target !== "/run");

/**
 * Options of {@linkcode mountPseudoFilesystems}.
 *
 * @example
 * ```ts ignore
 * import { DEFAULT_PSEUDO_FILESYSTEMS, mountPseudoFilesystems, type MountPseudoFilesystemsOptions } from "@weft/init/mounts";
 *
 * // Mounts only proc and sysfs, below a scratch root, leaving cgroups alone.
 * const options: MountPseudoFilesystemsOptions = {
 *   root: "/tmp/newroot",
 *   filesystems: DEFAULT_PSEUDO_FILESYSTEMS.slice(0, 2),
 *   enableControllers: false,
 * };
 * mountPseudoFilesystems(options);
 * ```
 */
export interface MountPseudoFilesystemsOptions {
  /** Directory the targets are relative to (a test can use a scratch tree). @default {"/"} */
  root?: string;
  /** What to mount. @default {DEFAULT_PSEUDO_FILESYSTEMS} */
  filesystems?: readonly PseudoFilesystem[];
  /**
   * After cgroup2 is in place, enable every available controller for child
   * cgroups (`cgroup.subtree_control`), as container runtimes expect.
   * @default {true}
   */
  enableControllers?: boolean;
}

/**
 * The outcome for one filesystem of {@linkcode mountPseudoFilesystems}.
 *
 * @example
 * ```ts ignore
 * import { mountPseudoFilesystems, type MountResult } from "@weft/init/mounts";
 *
 * const results: MountResult[] = mountPseudoFilesystems();
 * for (const { target, state, error } of results) if (state === "failed") console.error(target, error);
 * ```
 */
export interface MountResult {
  /** The full mount point. */
  target: string;
  /** The filesystem type asked for. */
  fstype: string;
  /**
   * `"mounted"`: it was absent and is now mounted; `"present"`: something
   * was already mounted there (left alone, never stacked); `"failed"`: see `error`.
   */
  state: "mounted" | "present" | "failed";
  /** For `"present"`: the type of what is mounted there (may differ from `fstype`). */
  found?: string;
  /** For `"failed"`: why. */
  error?: Error;
}

function join(root: string, target: string): string {
  return root === "/" ? target : `${root.replace(/\/+$/, "")}${target}`;
}

function mountedAt(root: string, target: string): MountInfoEntry | undefined {
  const table = readMountInfo() ?? readMountInfo(join(root, "/proc/self/mountinfo"));
  // The last entry for a mount point is the one on top.
  return table?.findLast((entry) => entry.mountPoint === target);
}

/**
 * Mounts the pseudo-filesystems a container runtime needs, each only if
 * nothing is mounted at its target yet (checked in /proc/self/mountinfo, so
 * calling it again stacks nothing), creating missing mount points. A
 * failure is logged and reported, and the others are still tried. Meant for
 * PID 1 (a VM's init starts with none of them); needs root and `--allow-ffi`.
 *
 * @param options See {@linkcode MountPseudoFilesystemsOptions}.
 * @returns One result per filesystem, in order.
 *
 * @example
 * ```ts ignore
 * import { isPid1 } from "@weft/init/pid1";
 * import { mountPseudoFilesystems } from "@weft/init/mounts";
 *
 * if (isPid1()) {
 *   for (const result of mountPseudoFilesystems()) {
 *     if (result.state === "failed") console.error(result.error);
 *   }
 * }
 * ```
 */
export function mountPseudoFilesystems(
  options: MountPseudoFilesystemsOptions = {},
): MountResult[] {
  const root = options.root ?? "/";
  if (!root.startsWith("/")) {
    throw new TypeError(`Invalid root ${JSON.stringify(root)}: expected an absolute path`);
  }
  const results: MountResult[] = [];
  for (const filesystem of options.filesystems ?? DEFAULT_PSEUDO_FILESYSTEMS) {
    const target = join(root, filesystem.target);
    const { fstype } = filesystem;
    const present = mountedAt(root, target);
    if (present !== undefined) {
      if (present.fstype !== fstype) {
        logger.warn("{target}: {found} is mounted there, not {fstype}; leaving it", {
          target,
          found: present.fstype,
          fstype,
        });
      }
      results.push({ target, fstype, state: "present", found: present.fstype });
      continue;
    }
    try {
      Deno.mkdirSync(target, { recursive: true, mode: 0o755 });
      mount(
        filesystem.source ?? fstype,
        target,
        fstype,
        BigInt(filesystem.flags ?? 0),
        filesystem.data,
      );
      logger.info("Mounted {fstype} on {target}", { fstype, target });
      results.push({ target, fstype, state: "mounted" });
    } catch (error) {
      logger.error("Cannot mount {fstype} on {target}: {error}", { fstype, target, error });
      results.push({ target, fstype, state: "failed", error: error as Error });
    }
  }
  if (options.enableControllers ?? true) {
    for (const result of results) {
      if (result.fstype === "cgroup2" && (result.found ?? "cgroup2") === "cgroup2") {
        enableCgroupControllers(result.target);
      }
    }
  }
  return results;
}
