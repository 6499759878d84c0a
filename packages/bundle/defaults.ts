import type { OciMount } from "./oci_config.ts";

/**
 * Docker's default capability set (moby `oci/caps/defaults.go`): what an
 * unprivileged container's process gets in its bounding, effective and
 * permitted sets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CAPABILITIES } from "@weft/bundle";
 *
 * assert.ok(DEFAULT_CAPABILITIES.length === 14 && !DEFAULT_CAPABILITIES.includes("CAP_SYS_ADMIN"));
 * ```
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_MKNOD",
  "CAP_NET_RAW",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETFCAP",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_SYS_CHROOT",
  "CAP_KILL",
  "CAP_AUDIT_WRITE",
];

/**
 * Every capability of Linux up to 6.x (numbers 0 to 40), given to a
 * privileged container.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ALL_CAPABILITIES } from "@weft/bundle";
 *
 * assert.ok(ALL_CAPABILITIES.length === 41 && ALL_CAPABILITIES.includes("CAP_SYS_ADMIN"));
 * ```
 */
export const ALL_CAPABILITIES: readonly string[] = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_DAC_READ_SEARCH",
  "CAP_FOWNER",
  "CAP_FSETID",
  "CAP_KILL",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE",
  "CAP_NET_BIND_SERVICE",
  "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN",
  "CAP_NET_RAW",
  "CAP_IPC_LOCK",
  "CAP_IPC_OWNER",
  "CAP_SYS_MODULE",
  "CAP_SYS_RAWIO",
  "CAP_SYS_CHROOT",
  "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT",
  "CAP_SYS_ADMIN",
  "CAP_SYS_BOOT",
  "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE",
  "CAP_SYS_TIME",
  "CAP_SYS_TTY_CONFIG",
  "CAP_MKNOD",
  "CAP_LEASE",
  "CAP_AUDIT_WRITE",
  "CAP_AUDIT_CONTROL",
  "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE",
  "CAP_MAC_ADMIN",
  "CAP_SYSLOG",
  "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND",
  "CAP_AUDIT_READ",
  "CAP_PERFMON",
  "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE",
];

/**
 * The paths `runc spec` masks (runc 1.1.5): the container sees them empty.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_MASKED_PATHS } from "@weft/bundle";
 *
 * assert.ok(DEFAULT_MASKED_PATHS.includes("/proc/kcore"));
 * ```
 */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/proc/sched_debug",
  "/sys/firmware",
  "/proc/scsi",
];

/**
 * The paths `runc spec` makes read-only (runc 1.1.5).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_READONLY_PATHS } from "@weft/bundle";
 *
 * assert.ok(DEFAULT_READONLY_PATHS.includes("/proc/sys"));
 * ```
 */
export const DEFAULT_READONLY_PATHS: readonly string[] = [
  "/proc/bus",
  "/proc/fs",
  "/proc/irq",
  "/proc/sys",
  "/proc/sysrq-trigger",
];

/**
 * The standard mounts of a container, as `runc spec` writes them: /proc,
 * /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys and the cgroup hierarchy, the
 * last two read-only unless `privileged`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { standardMounts } from "@weft/bundle";
 *
 * const sys = standardMounts().find((mount) => mount.destination === "/sys");
 * assert.ok(sys?.options?.includes("ro"));
 * ```
 */
export function standardMounts(options: { privileged?: boolean } = {}): OciMount[] {
  const access = options.privileged ? "rw" : "ro";
  return [
    { destination: "/proc", type: "proc", source: "proc" },
    {
      destination: "/dev",
      type: "tmpfs",
      source: "tmpfs",
      options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
    },
    {
      destination: "/dev/pts",
      type: "devpts",
      source: "devpts",
      options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
    },
    {
      destination: "/dev/shm",
      type: "tmpfs",
      source: "shm",
      options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
    },
    {
      destination: "/dev/mqueue",
      type: "mqueue",
      source: "mqueue",
      options: ["nosuid", "noexec", "nodev"],
    },
    {
      destination: "/sys",
      type: "sysfs",
      source: "sysfs",
      options: ["nosuid", "noexec", "nodev", access],
    },
    {
      destination: "/sys/fs/cgroup",
      type: "cgroup",
      source: "cgroup",
      options: ["nosuid", "noexec", "nodev", "relatime", access],
    },
  ];
}
