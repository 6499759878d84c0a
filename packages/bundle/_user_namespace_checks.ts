// What a user namespace needs of the host's filesystem, checked before a
// runtime meets it: the runtime sets the container up as the container's
// root, which is an unprivileged host uid, so it must be able to reach the
// rootfs and bind sources and to create missing mount points.
import type { ContainerSpec } from "./container_spec.ts";
import { ContainerSpecError } from "./errors.ts";
import { type IdMappingSpec, mapId, mapsHostId } from "./user_namespace.ts";

interface Root {
  uid: number;
  gid: number;
  uids: readonly IdMappingSpec[];
  gids: readonly IdMappingSpec[];
}

// Root in the namespace has CAP_DAC_OVERRIDE over inodes whose owner and group are both mapped.
function allowed(root: Root, info: Deno.FileInfo, bits: number): boolean {
  if (mapsHostId(root.uids, info.uid!) && mapsHostId(root.gids, info.gid!)) return true;
  const mode = info.mode! & 0o777;
  if (info.uid === root.uid) return (mode & (bits << 6)) === bits << 6;
  if (info.gid === root.gid) return (mode & (bits << 3)) === bits << 3;
  return (mode & bits) === bits;
}

function owner(info: Deno.FileInfo): string {
  return `owned by host uid ${info.uid}, gid ${info.gid}, mode ${
    (info.mode! & 0o7777).toString(8)
  }`;
}

/** The first directory on the way to `path` that `root` cannot search, if any. */
async function unreachable(root: Root, path: string): Promise<string | undefined> {
  const parts = path.split("/").filter((part) => part !== "");
  for (let depth = 0; depth <= parts.length; depth++) {
    const dir = `/${parts.slice(0, depth).join("/")}`;
    const info = await Deno.stat(dir).catch(() => undefined);
    if (info === undefined || !info.isDirectory) return undefined; // Reported by other checks.
    if (!allowed(root, info, 0o1)) return `${dir} (${owner(info)})`;
  }
  return undefined;
}

/** A mount point the runtime would have to create but cannot. */
async function uncreatable(
  root: Root,
  rootfs: string,
  destination: string,
): Promise<string | undefined> {
  let path = `${rootfs}${destination}`.replace(/\/+$/, "");
  if (await Deno.lstat(path).then(() => true, () => false)) return undefined;
  const missing = path;
  while (path.length > rootfs.length) {
    path = path.slice(0, path.lastIndexOf("/"));
    const info = await Deno.stat(path || "/").catch(() => undefined);
    if (info === undefined) continue;
    if (allowed(root, info, 0o3)) return undefined;
    return `${missing} is missing and ${path || "/"} is ${owner(info)}`;
  }
  return undefined;
}

/** The ranges of an `uid_map`/`gid_map` file, as id mappings. */
function readMap(text: string): IdMappingSpec[] {
  return text.trim().split("\n").filter((line) => line.trim() !== "").map((line) => {
    const [containerId, hostId, size] = line.trim().split(/\s+/).map(Number);
    return { containerId, hostId, size };
  });
}

/**
 * Why this kernel and this process cannot create the user namespace, if
 * they cannot: user namespaces switched off, or host ids that the caller's
 * own user namespace (when it is in one) does not hold.
 */
async function kernelRefusal(
  uids: IdMappingSpec[],
  gids: IdMappingSpec[],
): Promise<string | undefined> {
  const max = await Deno.readTextFile("/proc/sys/user/max_user_namespaces").catch(() => undefined);
  if (max?.trim() === "0") {
    return "a kernel that allows user namespaces (user.max_user_namespaces is 0 here)";
  }
  for (const [kind, ranges] of [["uid", uids], ["gid", gids]] as const) {
    const text = await Deno.readTextFile(`/proc/self/${kind}_map`).catch(() => undefined);
    if (text === undefined) continue;
    const own = readMap(text);
    for (const range of ranges) {
      const last = range.hostId + range.size - 1;
      const held = own.some((r) => range.hostId >= r.containerId && last < r.containerId + r.size);
      if (!held) {
        return `host ${kind}s this process's own user namespace holds (its ${kind}_map: ` +
          `${own.map((r) => `${r.containerId} ${r.hostId} ${r.size}`).join(", ")}; ` +
          `${kind}s ${range.hostId}-${last} are not in it, so no runtime it starts can map them)`;
      }
    }
  }
  return undefined;
}

/**
 * Refuses a spec whose user namespace cannot work with its files, naming
 * the field to fix. `field` builds a field path from a spec key.
 */
export async function checkUserNamespaceAccess(
  spec: ContainerSpec,
  ids: { uid: number; gid: number; additionalGids: number[] },
  field: (key: string) => string,
): Promise<void> {
  const userns = spec.userNamespace!;
  const uids = userns.uidMappings;
  const gids = userns.gidMappings ?? uids;
  const root: Root = { uid: mapId(uids, 0)!, gid: mapId(gids, 0)!, uids, gids };
  const refusal = await kernelRefusal(uids, gids);
  if (refusal !== undefined) {
    throw new ContainerSpecError({
      field: field("userNamespace"),
      expected: refusal,
      value: userns,
    });
  }
  const unmapped = [
    mapId(uids, ids.uid) === undefined && `uid ${ids.uid}`,
    ...[ids.gid, ...ids.additionalGids].map((gid) =>
      mapId(gids, gid) === undefined && `gid ${gid}`
    ),
  ].filter(Boolean);
  if (unmapped.length > 0) {
    throw new ContainerSpecError({
      field: field("userNamespace"),
      expected: `ranges holding the process's ${unmapped.join(", ")} (see process.user)`,
      value: userns,
    });
  }
  const who = `the container's root (host uid ${root.uid}, gid ${root.gid})`;
  const blocked = await unreachable(root, spec.rootfs);
  if (blocked !== undefined) {
    throw new ContainerSpecError({
      field: field("rootfs"),
      expected: `a directory ${who} can reach with the user namespace, but ${blocked} ` +
        "does not let it through (chmod o+x, or move the rootfs)",
      value: spec.rootfs,
    });
  }
  for (const [index, mount] of (spec.mounts ?? []).entries()) {
    const source = mount.type === "bind" ? await unreachable(root, mount.source) : undefined;
    if (source !== undefined) {
      throw new ContainerSpecError({
        field: field(`mounts[${index}].source`),
        expected: `a path ${who} can reach, but ${source} does not let it through`,
        value: mount.type === "bind" ? mount.source : undefined,
      });
    }
  }
  const points = [
    ...["/proc", "/dev", "/sys"].map((destination) => ({ destination, key: "rootfs" })),
    ...(spec.mounts ?? []).map((mount, index) => ({
      destination: mount.destination,
      key: `mounts[${index}].destination`,
    })),
  ];
  for (const { destination, key } of points) {
    const problem = await uncreatable(root, spec.rootfs, destination);
    if (problem === undefined) continue;
    throw new ContainerSpecError({
      field: field(key),
      expected: `mount points ${who} can use: ${problem}; create the directory, or give the ` +
        `rootfs to the mapped range (chown -R ${root.uid}:${root.gid})`,
      value: key === "rootfs" ? spec.rootfs : destination,
    });
  }
}
