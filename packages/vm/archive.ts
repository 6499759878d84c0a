/**
 * Turns a staged directory into what QEMU boots: a plain `cpio -H newc`
 * archive (an initramfs; uncompressed unpacks fastest under TCG) or an ext4
 * disk image made by `mke2fs -d` (no root mount, no loop device).
 *
 * @module
 */
import { run } from "./_run.ts";

/** Every path under `root`, relative, parents first, without following symlinks. */
async function listTree(root: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  const entries = [];
  for await (const entry of Deno.readDir(`${root}/${prefix}`)) entries.push(entry);
  entries.sort((a, b) => a.name < b.name ? -1 : 1);
  for (const entry of entries) {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    out.push(rel);
    if (entry.isDirectory) out.push(...await listTree(root, rel));
  }
  return out;
}

/**
 * Archives `dir` as a newc cpio at `archive`, every file owned by root.
 *
 * @param dir The staged directory.
 * @param archive The archive to write.
 * @returns Resolves when written.
 *
 * @example
 * ```ts ignore
 * import { writeCpio } from "@weft/vm";
 *
 * await writeCpio("/tmp/root", "/tmp/initrd.cpio");
 * ```
 */
export async function writeCpio(dir: string, archive: string): Promise<void> {
  const list = (await listTree(dir)).join("\0") + "\0";
  await run("cpio", ["--create", "--format=newc", "--null", "--quiet", "--owner=0:0"], {
    cwd: dir,
    stdin: new TextEncoder().encode(list),
    stdoutFile: archive,
  });
}

async function treeBytes(path: string): Promise<number> {
  const info = await Deno.lstat(path);
  if (!info.isDirectory) return info.size;
  let total = 4096;
  for await (const entry of Deno.readDir(path)) total += await treeBytes(`${path}/${entry.name}`);
  return total;
}

/**
 * Writes an ext4 image of `dir` at `image` with `mke2fs -d`, sized to its
 * contents plus room for what the VM writes (QEMU opens it with
 * `snapshot=on`, so those writes never reach the file). No journal: nothing
 * on it has to survive a crash; no metadata checksums: the kernel would need
 * its crc32c module for them.
 *
 * @param dir The staged directory.
 * @param image The image file to write.
 * @param label The filesystem label.
 * @returns Resolves when written.
 *
 * @example
 * ```ts ignore
 * import { writeExt4 } from "@weft/vm";
 *
 * await writeExt4("/tmp/root", "/tmp/system.ext4", "weft-system");
 * ```
 */
export async function writeExt4(dir: string, image: string, label: string): Promise<void> {
  const bytes = await treeBytes(dir);
  const kib = Math.ceil((bytes * 1.2) / 1024) + 32 * 1024;
  await run("mke2fs", [
    "-q",
    "-F",
    "-t",
    "ext4",
    "-O",
    "^has_journal,^metadata_csum",
    "-L",
    label,
    "-E",
    "root_owner=0:0",
    "-d",
    dir,
    image,
    `${kib}k`,
  ]);
}
