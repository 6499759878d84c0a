/**
 * The build cache's bookkeeping: entries are built atomically, reused
 * entries are touched, and old ones pruned, safely against other
 * `weft-vm` processes building and booting from the same cache.
 *
 * @module
 */
import { exists } from "./_run.ts";

/** Entries kept per kind in the cache; older ones are removed (a system part is ~110 MB). */
const KEEP = 3;

/**
 * Entries touched more recently than this are never pruned: another
 * `weft-vm` may be building or booting them right now (the tests build
 * several pods at once). Reusing an entry touches it.
 */
const PRUNE_GRACE_MS = 15 * 60_000;

/**
 * Removes the entries of `dir` whose names start with `prefix`, except `keep` and the
 * `KEEP - 1` newest others, and except anything touched within the grace time.
 */
export async function prune(
  dir: string,
  prefix: string,
  keep: string,
  graceMs: number = PRUNE_GRACE_MS,
): Promise<void> {
  // By path: a directory read while another process removes entries may
  // return one entry twice, which would count as two newer ones.
  const times = new Map<string, number>();
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (!entry.name.startsWith(prefix) || path === keep) continue;
    const mtime = await modified(path);
    if (mtime !== undefined) times.set(path, mtime);
  }
  const found = [...times].map(([path, mtime]) => ({ path, mtime }));
  found.sort((a, b) => b.mtime - a.mtime);
  for (const old of found.slice(KEEP - 1)) {
    // Read again just before removing: a concurrent build may have reused it since.
    const mtime = await modified(old.path);
    if (mtime === undefined || Date.now() - mtime < graceMs) continue;
    await Deno.remove(old.path, { recursive: true }).catch(() => {});
  }
}

/** Last modification in ms since the epoch; undefined once another process removed it. */
async function modified(path: string): Promise<number | undefined> {
  try {
    return (await Deno.lstat(path)).mtime?.getTime() ?? 0;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Marks a cached entry as in use, so that no concurrent prune takes it. */
export async function touch(path: string): Promise<void> {
  const now = new Date();
  await Deno.utime(path, now, now);
}

/** Builds `target` with `make(tempPath)` unless it exists; atomic against concurrent builders. */
export async function cachedPart(
  target: string,
  make: (temp: string) => Promise<void>,
): Promise<void> {
  if (await exists(target)) return await touch(target);
  const work = await Deno.makeTempDir({ dir: target.slice(0, target.lastIndexOf("/")) });
  try {
    await make(`${work}/part`);
    await Deno.rename(`${work}/part`, target);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
