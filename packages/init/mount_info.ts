/**
 * One line of `/proc/self/mountinfo` (proc(5)).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MountInfoEntry, parseMountInfo } from "@weft/init/mount-info";
 *
 * const entries: MountInfoEntry[] = parseMountInfo(
 *   "30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n",
 * );
 * assert.ok(entries[0].fstype === "cgroup2" && entries[0].parentId === 22);
 * ```
 */
export interface MountInfoEntry {
  /** Unique id of the mount. */
  mountId: number;
  /** Id of the parent mount. */
  parentId: number;
  /** Where it is mounted, relative to this process's root (escapes decoded). */
  mountPoint: string;
  /** Per-mount options, e.g. `rw,nosuid`. */
  options: string;
  /** Filesystem type, e.g. `proc`, `cgroup2`. */
  fstype: string;
  /** Filesystem-specific source, e.g. `devtmpfs` or `/dev/vda1`. */
  source: string;
}

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));
}

/**
 * Parses the text of a mountinfo file.
 *
 * @param text The file's content.
 * @returns One entry per line, in file order.
 * @throws {TypeError} When a line does not have the mountinfo layout.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMountInfo } from "@weft/init/mount-info";
 *
 * const [entry] = parseMountInfo(
 *   "22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n",
 * );
 * assert.ok(entry.mountPoint === "/proc" && entry.fstype === "proc");
 * ```
 */
export function parseMountInfo(text: string): MountInfoEntry[] {
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const fields = line.split(" ");
    const separator = fields.indexOf("-", 6);
    if (fields.length < 10 || separator === -1 || fields.length < separator + 3) {
      throw new TypeError(
        `Invalid mountinfo line ${JSON.stringify(line)}: expected proc(5) layout`,
      );
    }
    return {
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      mountPoint: unescape(fields[4]),
      options: fields[5],
      fstype: fields[separator + 1],
      source: unescape(fields[separator + 2]),
    };
  });
}

/**
 * Reads this process's mount table.
 *
 * @param path The mountinfo file. @default {"/proc/self/mountinfo"}
 * @returns The mounts, or `undefined` when the file cannot be read (/proc
 * is not mounted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readMountInfo } from "@weft/init/mount-info";
 *
 * const mounts = readMountInfo();
 * assert.ok(mounts === undefined || mounts.some((m) => m.mountPoint === "/"));
 * ```
 */
export function readMountInfo(path: string = "/proc/self/mountinfo"): MountInfoEntry[] | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
  return parseMountInfo(text);
}
