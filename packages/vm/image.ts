/**
 * `weft-vm build`: everything a pod's VM boots, in one directory with a
 * manifest (`vm.json`). Two layouts:
 *
 * - `disk` (the default): a 3 MB early initramfs, an ext4 system disk
 *   (deno, runtimes, busybox, the init and its code cache) shared by every
 *   pod built from the same inputs, and a small ext4 pod disk.
 * - `initramfs`: one cpio archive holding all of it, unpacked by the kernel
 *   on every boot (no pivot_root in it, so `runtime.noPivot` is set).
 *
 * Each part is cached under a hash of its inputs, so an unchanged build is
 * free and a new pod reuses the system part.
 *
 * @module
 */
import { INIT_BUNDLE_OPTIONS } from "@weft/init/run-options";
import { absolute, exists, run, sha256, which } from "./_run.ts";
import { cachedPart, prune, touch } from "./_cache.ts";
import { writeCpio, writeExt4 } from "./archive.ts";
import { stageEarlyInit } from "./early_init.ts";
import { defaultCacheDir, ensureKernel } from "./kernel.ts";
import { kernelCommandLine, type VmManifest } from "./manifest.ts";
import { type PodTree, readPodTree, stagePod } from "./pod_tree.ts";
import { IMAGE_DENO_DIR, isElf, libraries, stageSystem, type SystemSpec } from "./system_tree.ts";

/**
 * Options of {@linkcode buildImage}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BuildOptions } from "@weft/vm";
 *
 * const options: BuildOptions = { outDir: "/tmp/pod-vm", root: "disk", runtime: "runc" };
 * assert.equal(options.root, "disk");
 * ```
 */
export interface BuildOptions {
  /** Where the image goes. @default {"<cacheDir>/images/<hash of every input>"} */
  outDir?: string;
  /** Kernel and part cache. @default {defaultCacheDir()} */
  cacheDir?: string;
  /** `disk` (ext4 disks, a tiny initramfs) or `initramfs` (one archive). @default {"disk"} */
  root?: "disk" | "initramfs";
  /** Replaces the pod file's `runtime.name` in the image. @default {the pod file's} */
  runtime?: string;
  /** The init: bundled JavaScript, or a compiled binary. @default {a bundle of @weft/init/main} */
  init?: string;
  /** An x86-64 kernel of your own (with virtio and ext4 built in for a disk root). @default {Debian's} */
  kernel?: string;
  /** The deno binary the VM runs. @default {Deno.execPath()} */
  deno?: string;
  /** Bake Deno's code cache of the init into the image. @default {true} */
  codeCache?: boolean;
  /** Guest memory in MiB. @default {1024} */
  memoryMib?: number;
  /** Told about slow steps, one sentence each. @default {nothing} */
  onProgress?: (message: string) => void;
}

/**
 * A built image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VmImage } from "@weft/vm";
 *
 * const image = { dir: "/tmp/pod-vm", cached: true, buildMs: 0 } as VmImage;
 * assert.ok(image.cached);
 * ```
 */
export interface VmImage {
  /** The image directory (holding `vm.json`). */
  dir: string;
  /** Its manifest. */
  manifest: VmManifest;
  /** Whether nothing had to be built. */
  cached: boolean;
  /** Build time in milliseconds (0 when cached). */
  buildMs: number;
}

/**
 * crun and runc, those installed: both go into every image, so that pods on
 * either share one cached system part; the one the pod names must be there.
 */
async function runtimeBinaries(runtime: string): Promise<Record<string, string>> {
  const what = `put runtime "${runtime}" into the VM image`;
  const found: Record<string, string> = {};
  for (const name of ["crun", "runc"]) {
    const path = await which(name, what).catch((error) => {
      if (name === runtime) throw error;
      return undefined;
    });
    if (path !== undefined) found[name] = path;
  }
  if (Object.keys(found).length === 0) {
    throw new Error(`Cannot ${what}: neither crun nor runc is in PATH`);
  }
  return found;
}

async function defaultInit(cacheDir: string, onProgress: (m: string) => void): Promise<string> {
  const main = new URL(import.meta.resolve("@weft/init/main"));
  onProgress(`Bundling the init: deno bundle ${main.pathname}`);
  const out = `${cacheDir}/weft-init-${Deno.pid}.js`;
  await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    ...INIT_BUNDLE_OPTIONS,
    "--output",
    out,
    main.href,
  ]);
  return out;
}

async function statKey(paths: string[]): Promise<string[]> {
  const parts = [];
  for (const file of [...new Set(paths)].sort()) {
    const info = await Deno.stat(file);
    parts.push(`${file} ${info.size} ${info.mtime?.getTime()}`);
  }
  return parts;
}

/**
 * A key of the system part: big binaries by path, size and mtime (hashing
 * 100 MB of deno on every build would cost more than it saves), the init
 * by content, and the source of the code that stages it.
 */
async function systemKey(spec: SystemSpec, kind: string): Promise<string> {
  const hostFiles = [spec.busybox];
  for (const path of Object.values(spec.binaries)) hostFiles.push(path, ...await libraries(path));
  const parts = await statKey(hostFiles);
  parts.push(kind, String(spec.codeCache), JSON.stringify(spec.binaries));
  parts.push(await sha256(await Deno.readFile(spec.init)));
  for (const module of ["./system_tree.ts", "./archive.ts", "./early_init.ts"]) {
    parts.push(await Deno.readTextFile(new URL(module, import.meta.url)));
  }
  return (await sha256(parts.join("\n"))).slice(0, 16);
}

/** Stages with `stage(dir)` in a temporary directory and writes it with `write(dir, out)`. */
async function fromStage(
  out: string,
  stage: (dir: string) => Promise<unknown>,
  write: (dir: string, out: string) => Promise<void>,
): Promise<void> {
  const dir = `${out}.stage`;
  try {
    await stage(dir);
    await write(dir, out);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function concatenate(files: string[], target: string): Promise<void> {
  using out = await Deno.open(target, { write: true, create: true, truncate: true });
  for (const file of files) {
    const source = await Deno.open(file);
    await source.readable.pipeTo(out.writable, { preventClose: true });
  }
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await Deno.link(from, to);
  } catch {
    await Deno.copyFile(from, to);
  }
}

/**
 * Builds the VM image of a pod file: the kernel (Debian's, fetched once),
 * the root (see the module's layouts), the pod file and every path it names.
 * The image's pod file is the pod file as written, with `runtime.name` from
 * `runtime` and, for an initramfs root, `runtime.noPivot: true`.
 *
 * @param podFile The pod file.
 * @param options Where, which root, which runtime, which init.
 * @returns The image.
 * @throws {Error} weft-init's `ConfigError` for a bad pod file, a
 *   {@linkcode PodImageError} for a path outside its directory, an `Error`
 *   naming the missing tool or binary.
 *
 * @example
 * ```ts ignore
 * import { buildImage } from "@weft/vm";
 *
 * const image = await buildImage("examples/pod/pod.json", { outDir: "/tmp/pod-vm" });
 * console.log(image.manifest.disks); // ["system.ext4", "pod.ext4"]
 * ```
 */
export async function buildImage(podFile: string, options: BuildOptions = {}): Promise<VmImage> {
  const started = performance.now();
  const onProgress = options.onProgress ?? (() => {});
  const cacheDir = absolute(options.cacheDir ?? defaultCacheDir());
  const kind = options.root ?? "disk";
  if (kind !== "disk" && kind !== "initramfs") {
    throw new TypeError(`Invalid root "${kind}": expected "disk" or "initramfs"`);
  }
  const pod = await readPodTree(podFile, {
    runtime: options.runtime,
    noPivot: kind === "initramfs" ? true : undefined,
  });
  await Deno.mkdir(`${cacheDir}/parts`, { recursive: true });
  const init = options.init ?? await defaultInit(cacheDir, onProgress);
  try {
    return await build(pod, init, kind, cacheDir, options, started);
  } finally {
    if (options.init === undefined) await Deno.remove(init).catch(() => {});
  }
}

async function build(
  pod: PodTree,
  init: string,
  kind: "disk" | "initramfs",
  cacheDir: string,
  options: BuildOptions,
  started: number,
): Promise<VmImage> {
  const onProgress = options.onProgress ?? (() => {});
  const compiled = await isElf(init);
  const spec: SystemSpec = {
    init,
    binaries: {
      ...(compiled ? {} : { deno: options.deno ?? Deno.execPath() }),
      ...await runtimeBinaries(pod.runtime),
    },
    busybox: await which("busybox", "build the VM image"),
    codeCache: options.codeCache ?? true,
  };
  const kernel = options.kernel === undefined
    ? await ensureKernel({ cacheDir, onProgress })
    : { vmlinux: options.kernel, modules: [], version: "given" };
  const sysKey = await systemKey(spec, kind);
  // The command line's words come from code: a new weft-vm must not reuse an image with old ones.
  const words = kernelCommandLine({ root: kind, compiled, initArgs: [], denoDir: IMAGE_DENO_DIR });
  const imageKey = (await sha256(
    [sysKey, pod.key, kind, kernel.vmlinux, kernel.version, options.memoryMib, words].join("\n"),
  )).slice(0, 16);
  const dir = absolute(options.outDir ?? `${cacheDir}/images/${imageKey}`);
  const manifestPath = `${dir}/vm.json`;
  if (await exists(manifestPath)) {
    const manifest = JSON.parse(await Deno.readTextFile(manifestPath)) as VmManifest;
    if (manifest.key === imageKey) {
      await touch(dir);
      return { dir, manifest, cached: true, buildMs: 0 };
    }
  }
  const parts = `${cacheDir}/parts`;
  const system = `${parts}/system-${sysKey}.${kind === "disk" ? "ext4" : "cpio"}`;
  if (!(await exists(system))) {
    onProgress(`Building the system ${kind === "disk" ? "disk" : "archive"}`);
  }
  await cachedPart(system, (out) =>
    fromStage(
      out,
      (stage) => stageSystem(stage, spec),
      kind === "disk" ? (d, o) => writeExt4(d, o, "weft-system") : writeCpio,
    ));
  await prune(parts, "system-", system);
  onProgress(`Building the pod's part of the image in ${dir}`);
  await Deno.mkdir(dir, { recursive: true });
  for (const name of ["vm.json", "vmlinux", "initrd.cpio", "system.ext4", "pod.ext4"]) {
    await Deno.remove(`${dir}/${name}`).catch(() => {});
  }
  await linkOrCopy(kernel.vmlinux, `${dir}/vmlinux`);
  let podPath = "";
  const stagePodInto = async (stage: string) => {
    podPath = await stagePod(stage, pod);
  };
  let disks: string[] = [];
  if (kind === "disk") {
    const early = `${parts}/early-${
      (await sha256(`${sysKey}\n${kernel.modules.join("\n")}`)).slice(0, 16)
    }.cpio`;
    await cachedPart(
      early,
      (out) =>
        fromStage(out, (stage) => stageEarlyInit(stage, spec.busybox, kernel.modules), writeCpio),
    );
    await prune(parts, "early-", early);
    await linkOrCopy(early, `${dir}/initrd.cpio`);
    await linkOrCopy(system, `${dir}/system.ext4`);
    await fromStage(`${dir}/pod.ext4`, stagePodInto, (d, o) => writeExt4(d, o, "weft-pod"));
    disks = ["system.ext4", "pod.ext4"];
  } else {
    // The kernel unpacks concatenated newc archives one after the other.
    await fromStage(`${dir}/pod.cpio`, async (stage) => {
      await Deno.mkdir(stage);
      await stagePodInto(`${stage}/pod`);
    }, writeCpio);
    await concatenate([system, `${dir}/pod.cpio`], `${dir}/initrd.cpio`);
    await Deno.remove(`${dir}/pod.cpio`);
  }
  const manifest: VmManifest = {
    version: 1,
    key: imageKey,
    root: kind,
    kernel: "vmlinux",
    initrd: "initrd.cpio",
    disks,
    append: kernelCommandLine({
      root: kind,
      compiled,
      initArgs: ["--config", podPath, "--exit-port", "0xf4"],
      denoDir: IMAGE_DENO_DIR,
    }),
    memoryMib: options.memoryMib ?? 1024,
    pod: { file: pod.file, runtime: pod.runtime, controlTcpPort: pod.controlTcpPort },
  };
  await Deno.writeTextFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  if (options.outDir === undefined) await prune(`${cacheDir}/images`, "", dir);
  return { dir, manifest, cached: false, buildMs: Math.round(performance.now() - started) };
}
