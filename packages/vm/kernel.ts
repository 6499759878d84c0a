/**
 * Debian's stock kernel, fetched with `apt-get download` (never installed)
 * and cached uncompressed (under TCG an uncompressed kernel boots about 3 s
 * faster than the xz-compressed vmlinuz), with the few modules a disk root
 * needs: Debian builds virtio (PCI and MMIO), virtio-blk and ext4 as
 * modules, not into the kernel.
 *
 * @module
 */
import { absolute, exists, hasElfMagic, run, sha256 } from "./_run.ts";
import { moduleDependencies, readModule } from "./kernel_modules.ts";

/**
 * The modules a weft VM loads before it mounts its disks (their
 * dependencies come along): the PCI and MMIO transports of virtio, its
 * block device, and ext4. Each costs boot time under TCG, so nothing else:
 * weft-vm attaches no network device.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BOOT_MODULES } from "@weft/vm";
 *
 * assert.ok(BOOT_MODULES.includes("virtio_blk") && BOOT_MODULES.includes("ext4"));
 * ```
 */
export const BOOT_MODULES: readonly string[] = [
  "virtio_pci",
  "virtio_mmio",
  "virtio_blk",
  // The NIC of `weft-vm run --net user`: eth0 exists before the init configures it.
  "virtio_net",
  "ext4",
  // ext4 asks the crypto API for crc32c at mount time; nothing depends on it.
  "crc32c_generic",
  // The ACPI power button as an input device: cloud-hypervisor's graceful stop reaches weft-init.
  "button",
  "evdev",
];

/**
 * Options of {@linkcode ensureKernel}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KernelOptions } from "@weft/vm";
 *
 * const options: KernelOptions = { cacheDir: "/var/cache/weft-vm", onProgress: () => {} };
 * assert.equal(options.cacheDir, "/var/cache/weft-vm");
 * ```
 */
export interface KernelOptions {
  /** Where the kernel is cached. @default {defaultCacheDir()} */
  cacheDir?: string;
  /** Told about slow steps (the download), one sentence each. @default {nothing} */
  onProgress?: (message: string) => void;
}

/**
 * An uncompressed kernel and its boot modules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Kernel } from "@weft/vm";
 *
 * const kernel: Kernel = { vmlinux: "/c/vmlinux", modules: ["/c/modules/virtio.ko"], version: "6.1" };
 * assert.ok(kernel.modules[0].endsWith(".ko"));
 * ```
 */
export interface Kernel {
  /** Path of the ELF kernel. */
  vmlinux: string;
  /** Paths of the modules to load, in load order (dependencies first). */
  modules: string[];
  /** The kernel's release, e.g. `6.1.0-57-amd64`. */
  version: string;
}

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/**
 * The cache directory of weft-vm: `$WEFT_VM_CACHE`, else
 * `$XDG_CACHE_HOME/weft-vm`, else `~/.cache/weft-vm`.
 *
 * @returns An absolute path (it may not exist yet).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultCacheDir } from "@weft/vm";
 *
 * assert.ok(defaultCacheDir().endsWith("weft-vm") || Deno.env.has("WEFT_VM_CACHE"));
 * ```
 */
export function defaultCacheDir(): string {
  const explicit = Deno.env.get("WEFT_VM_CACHE");
  if (explicit) return explicit;
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  return `${xdg || `${Deno.env.get("HOME") ?? "/root"}/.cache`}/weft-vm`;
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
  if (!hasElfMagic(stdout)) {
    throw new Error(`Cannot uncompress "${vmlinuz}": the xz stream is not an ELF kernel`);
  }
  await Deno.writeFile(vmlinux, stdout);
}

async function readKernel(dir: string): Promise<Kernel> {
  const version = (await Deno.readTextFile(`${dir}/version`)).trim();
  const order = (await Deno.readTextFile(`${dir}/modules/order`)).split("\n").filter((n) => n);
  return {
    vmlinux: `${dir}/vmlinux`,
    modules: order.map((name) => `${dir}/modules/${name}.ko`),
    version,
  };
}

/** Downloads the kernel package into `work` and lays out `work/kernel` like the cache. */
async function fetchKernel(work: string, onProgress: (message: string) => void): Promise<void> {
  const pkg = await kernelPackage();
  onProgress(`Fetching the kernel: apt-get download ${pkg}`);
  await run("apt-get", ["download", pkg], { cwd: work });
  const deb = [...Deno.readDirSync(work)].find((e) => e.name.endsWith(".deb"));
  if (deb === undefined) throw new Error(`Cannot fetch the kernel: apt-get downloaded no .deb`);
  onProgress(`Unpacking ${deb.name}`);
  const tar = `${work}/data.tar`;
  await run("dpkg-deb", ["--fsys-tarfile", deb.name], { cwd: work, stdoutFile: tar });
  await run("tar", ["-xf", tar, "--wildcards", "./boot/vmlinuz-*", "./lib/modules/*/kernel"], {
    cwd: work,
  });
  const boot = [...Deno.readDirSync(`${work}/boot`)].find((e) => e.name.startsWith("vmlinuz-"));
  if (boot === undefined) throw new Error(`Cannot fetch the kernel: ${deb.name} has no vmlinuz`);
  const version = boot.name.slice("vmlinuz-".length);
  const out = `${work}/kernel`;
  await Deno.mkdir(`${out}/modules`, { recursive: true });
  await extractVmlinux(`${work}/boot/${boot.name}`, `${out}/vmlinux`);
  const order = await moduleDependencies(`${work}/lib/modules/${version}/kernel`, BOOT_MODULES);
  for (const [name, path] of order) {
    await Deno.writeFile(`${out}/modules/${name}.ko`, await readModule(path));
  }
  await Deno.writeTextFile(`${out}/modules/order`, [...order.keys()].join("\n") + "\n");
  await Deno.writeTextFile(`${out}/version`, `${version}\n`);
}

/**
 * Returns Debian's current x86-64 kernel, uncompressed, with the modules of
 * {@linkcode BOOT_MODULES}, downloading it on first use (`apt-get download`
 * of the package `linux-image-amd64` depends on; nothing is installed).
 * Concurrent callers are safe: each works in its own temporary directory
 * and the result is renamed into place.
 *
 * @param options Cache directory and progress reporting.
 * @returns The kernel's paths.
 *
 * @example
 * ```ts ignore
 * import { ensureKernel } from "@weft/vm";
 *
 * const kernel = await ensureKernel({ onProgress: (m) => console.error(m) });
 * console.log(kernel.vmlinux, kernel.modules.length);
 * ```
 */
export async function ensureKernel(options: KernelOptions = {}): Promise<Kernel> {
  const cacheDir = absolute(options.cacheDir ?? defaultCacheDir());
  // A new module list gets a new directory: the cache holds the modules it names.
  const dir = `${cacheDir}/kernel-${(await sha256(BOOT_MODULES.join(","))).slice(0, 8)}`;
  if (await exists(`${dir}/version`)) return await readKernel(dir);
  await Deno.mkdir(cacheDir, { recursive: true });
  const work = await Deno.makeTempDir({ dir: cacheDir, prefix: "kernel-" });
  try {
    await fetchKernel(work, options.onProgress ?? (() => {}));
    try {
      await Deno.rename(`${work}/kernel`, dir);
    } catch (error) {
      // Another process finished first: its copy is as good as ours.
      if (!(await exists(`${dir}/version`))) throw error;
    }
    return await readKernel(dir);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
