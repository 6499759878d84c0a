/**
 * Fetches Debian's stock kernel with `apt-get download` (never installing
 * it), and caches it uncompressed: under TCG an uncompressed kernel boots
 * about 3 s faster than the xz-compressed vmlinuz.
 */
import { run } from "./_run.ts";

/** Options of {@linkcode ensureKernel}. */
export interface KernelOptions {
  /** Where the kernel is cached. @default {"<repo>/.tools/vm"} */
  cacheDir?: string;
}

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/** The cache directory of the VM test: `.tools/vm` at the repository root. */
export function defaultCacheDir(): string {
  return new URL("../../.tools/vm", import.meta.url).pathname;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The versioned image package `linux-image-amd64` currently depends on, if apt knows it. */
async function dependedKernel(): Promise<string | undefined> {
  const out = await new Deno.Command("apt-cache", {
    args: ["depends", "linux-image-amd64"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).match(/Depends: (linux-image-[0-9][^\s]*)/)?.[1];
}

/** The kernel package to download; refreshes apt's lists once if they do not know it. */
async function kernelPackage(): Promise<string> {
  const known = await dependedKernel();
  if (known !== undefined) return known;
  await run("apt-get", ["update", "-qq"]);
  const found = await dependedKernel();
  if (found === undefined) {
    throw new Error(
      'Cannot find the kernel package: "apt-cache depends linux-image-amd64" names no ' +
        "linux-image-<version>, even after apt-get update",
    );
  }
  return found;
}

function findXz(bytes: Uint8Array): number {
  outer: for (let i = 0; i + XZ_MAGIC.length <= bytes.length; i++) {
    for (let j = 0; j < XZ_MAGIC.length; j++) {
      if (bytes[i + j] !== XZ_MAGIC[j]) continue outer;
    }
    return i;
  }
  return -1;
}

/** Decompresses the xz stream embedded in a bzImage into an ELF vmlinux. */
async function extractVmlinux(vmlinuz: string, vmlinux: string): Promise<void> {
  const bytes = await Deno.readFile(vmlinuz);
  const offset = findXz(bytes);
  if (offset < 0) throw new Error(`Cannot uncompress "${vmlinuz}": no xz stream in it`);
  const xz = new Deno.Command("xz", {
    args: ["-dc"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = xz.stdin.getWriter();
  // xz exits 1 on the data that follows the stream; the output is complete.
  writer.write(bytes.subarray(offset)).then(() => writer.close()).catch(() => {});
  const { stdout } = await xz.output();
  const elf = stdout.subarray(0, 4);
  if (elf[0] !== 0x7f || elf[1] !== 0x45 || elf[2] !== 0x4c || elf[3] !== 0x46) {
    throw new Error(`Cannot uncompress "${vmlinuz}": the xz stream is not an ELF kernel`);
  }
  await Deno.writeFile(vmlinux, stdout);
}

/**
 * Returns the path of an uncompressed x86-64 kernel, downloading it on
 * first use. Concurrent callers are safe: each works in its own temporary
 * directory and the result is renamed into place.
 */
export async function ensureKernel(options: KernelOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const vmlinux = `${cacheDir}/vmlinux`;
  if (await exists(vmlinux)) return vmlinux;
  await Deno.mkdir(cacheDir, { recursive: true });
  const work = await Deno.makeTempDir({ dir: cacheDir, prefix: "kernel-" });
  try {
    const pkg = await kernelPackage();
    await run("apt-get", ["download", pkg], { cwd: work });
    const deb = [...Deno.readDirSync(work)].find((e) => e.name.endsWith(".deb"));
    if (deb === undefined) throw new Error(`Cannot fetch the kernel: apt-get downloaded no .deb`);
    const tar = `${work}/data.tar`;
    await run("dpkg-deb", ["--fsys-tarfile", deb.name], { cwd: work, stdoutFile: tar });
    await run("tar", ["-xf", tar, "--wildcards", "./boot/vmlinuz-*"], { cwd: work });
    const boot = [...Deno.readDirSync(`${work}/boot`)].find((e) => e.name.startsWith("vmlinuz-"));
    if (boot === undefined) throw new Error(`Cannot fetch the kernel: ${deb.name} has no vmlinuz`);
    await extractVmlinux(`${work}/boot/${boot.name}`, `${work}/vmlinux`);
    await Deno.writeTextFile(`${work}/vmlinux.version`, `${boot.name}\n`);
    await Deno.rename(`${work}/vmlinux.version`, `${cacheDir}/vmlinux.version`);
    await Deno.rename(`${work}/vmlinux`, vmlinux);
    return vmlinux;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
