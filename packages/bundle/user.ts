import { ContainerSpecError } from "./errors.ts";
import { readRegularFile, UnreadableFileError } from "./regular_file.ts";

/** The largest /etc/passwd or /etc/group read from a rootfs (tens of thousands of entries). */
const MAX_ACCOUNT_FILE_BYTES = 16 * 1024 * 1024;

/**
 * A user resolved against a rootfs by {@linkcode resolveUser}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ResolvedUser, resolveUser } from "@weft/bundle";
 *
 * const rootfs = await Deno.makeTempDir();
 * const user: ResolvedUser = await resolveUser(rootfs, "1000:1000");
 * assert.ok(user.uid === 1000 && user.gid === 1000);
 * await Deno.remove(rootfs, { recursive: true });
 * ```
 */
export interface ResolvedUser {
  /** The user id. */
  uid: number;
  /** The primary group id. */
  gid: number;
  /** Supplementary groups: those of `/etc/group` that list the user by name. */
  additionalGids: number[];
  /** The user's home directory from `/etc/passwd`, when the user has an entry. */
  home?: string;
}

/**
 * Options of {@linkcode resolveUser}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerSpecError, resolveUser, type ResolveUserOptions } from "@weft/bundle";
 *
 * const rootfs = await Deno.makeTempDir();
 * const options: ResolveUserOptions = { field: "containers[1].process.user" };
 * try {
 *   await resolveUser(rootfs, "nobody", options);
 * } catch (error) {
 *   assert.ok(error instanceof ContainerSpecError && error.field === options.field);
 * }
 * await Deno.remove(rootfs, { recursive: true });
 * ```
 */
export interface ResolveUserOptions {
  /** The field path named in errors. @default {"process.user"} */
  field?: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const ID = /^[0-9]+$/;
const MAX_ID = 2 ** 32 - 2;

/**
 * Resolves `user` (`uid:gid`, `uid`, `name`, `name:group`, `uid:group`,
 * `name:gid`) the way Docker and runc do: names through the rootfs's
 * `/etc/passwd` and `/etc/group`, a bare name or uid takes its primary group
 * from `/etc/passwd` (gid 0 when a numeric uid has no entry), and the groups
 * that list the user become supplementary groups. The rootfs's files are read,
 * never the host's: a file that resolves outside the rootfs is refused.
 *
 * @throws {ContainerSpecError} naming the field when a name is not found or
 * an id is out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveUser } from "@weft/bundle";
 *
 * const rootfs = await Deno.makeTempDir();
 * await Deno.mkdir(`${rootfs}/etc`);
 * await Deno.writeTextFile(`${rootfs}/etc/passwd`, "web:x:33:33::/var/www:/bin/sh\n");
 * await Deno.writeTextFile(`${rootfs}/etc/group`, "web:x:33:\nlog:x:4:web\n");
 * const user = await resolveUser(rootfs, "web");
 * assert.ok(user.uid === 33 && user.gid === 33 && user.additionalGids[0] === 4);
 * await Deno.remove(rootfs, { recursive: true });
 * ```
 */
export async function resolveUser(
  rootfs: string,
  user: string,
  options: ResolveUserOptions = {},
): Promise<ResolvedUser> {
  const field = options.field ?? "process.user";
  const [userPart, groupPart] = user.split(":", 2) as [string, string | undefined];
  const fail = (expected: string, cause?: unknown): never => {
    throw new ContainerSpecError({ field, expected, value: user, cause });
  };
  // A numeric uid needs no /etc/passwd (a rootfs may have none): when there is
  // one, it only supplies the home directory and the default group.
  const passwd = parsePasswd(
    ID.test(userPart)
      ? await readRootfsFile(rootfs, "/etc/passwd", field, user).catch(absentIsEmpty)
      : await readRootfsFile(rootfs, "/etc/passwd", field, user),
  );
  let entry: PasswdEntry | undefined;
  let uid: number;
  if (ID.test(userPart)) {
    uid = Number(userPart);
    if (uid > MAX_ID) fail(`a uid from 0 to ${MAX_ID}`);
    entry = passwd.find((candidate) => candidate.uid === uid);
  } else {
    entry = passwd.find((candidate) => candidate.name === userPart);
    if (entry === undefined) {
      fail(`"uid:gid" or a user name in ${rootfs}/etc/passwd (no user "${userPart}" there)`);
    }
    uid = entry!.uid;
  }
  let groups: GroupEntry[] = [];
  if (groupPart === undefined && entry !== undefined) {
    // Only for supplementary groups: a rootfs without /etc/group simply has none.
    groups = parseGroup(
      await readRootfsFile(rootfs, "/etc/group", field, user).catch(absentIsEmpty),
    );
  } else if (groupPart !== undefined && !ID.test(groupPart)) {
    groups = parseGroup(await readRootfsFile(rootfs, "/etc/group", field, user));
  }
  let gid: number;
  if (groupPart === undefined) {
    gid = entry?.gid ?? 0;
  } else if (ID.test(groupPart)) {
    gid = Number(groupPart);
    if (gid > MAX_ID) fail(`a gid from 0 to ${MAX_ID}`);
  } else {
    const group = groups.find((candidate) => candidate.name === groupPart);
    if (group === undefined) {
      fail(`a group name in ${rootfs}/etc/group (no group "${groupPart}" there)`);
    }
    gid = group!.gid;
  }
  const additionalGids = groupPart === undefined && entry !== undefined
    ? [
      ...new Set(
        groups.filter((group) => group.members.includes(entry!.name) && group.gid !== gid)
          .map((group) => group.gid),
      ),
    ]
    : [];
  return { uid, gid, additionalGids, ...(entry !== undefined && { home: entry.home }) };
}

/**
 * For a file the rootfs may lack: missing (or out of reach) reads as empty,
 * but one that is there and not a regular file of bounded size is refused.
 */
function absentIsEmpty(error: unknown): string {
  if ((error as Error).cause instanceof UnreadableFileError) throw error;
  return "";
}

async function readRootfsFile(
  rootfs: string,
  file: string,
  field: string,
  user: string,
): Promise<string> {
  let real: string;
  try {
    real = await Deno.realPath(`${rootfs}${file}`);
  } catch (error) {
    throw new ContainerSpecError({
      field,
      expected: `"uid:gid", or a name looked up in ${rootfs}${file}, which cannot be read`,
      value: user,
      cause: error,
    });
  }
  const root = await Deno.realPath(rootfs);
  if (!real.startsWith(`${root}/`)) {
    throw new ContainerSpecError({
      field,
      expected: `"uid:gid": ${rootfs}${file} leads outside the rootfs (to ${real})`,
      value: user,
    });
  }
  try {
    // Lossy: a name is looked up in the file as the system's tools would, whatever its encoding.
    return new TextDecoder().decode(
      await readRegularFile(real, { maxBytes: MAX_ACCOUNT_FILE_BYTES, what: file }),
    );
  } catch (error) {
    throw new ContainerSpecError({
      field,
      expected: `"uid:gid", or a name looked up in ${rootfs}${file}, which cannot be read: ${
        (error as Error).message
      }`,
      value: user,
      cause: error,
    });
  }
}

function lines(text: string): string[][] {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => line.split(":"));
}

function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).filter((parts) => parts.length >= 4 && ID.test(parts[2]) && ID.test(parts[3]))
    .map((parts) => ({
      name: parts[0],
      uid: Number(parts[2]),
      gid: Number(parts[3]),
      home: parts[5] || "/",
    }));
}

function parseGroup(text: string): GroupEntry[] {
  return lines(text).filter((parts) => parts.length >= 3 && ID.test(parts[2])).map((parts) => ({
    name: parts[0],
    gid: Number(parts[2]),
    members: (parts[3] ?? "").split(",").filter((member) => member !== ""),
  }));
}
