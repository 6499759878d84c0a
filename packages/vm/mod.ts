/**
 * `@weft/vm`: a weft pod as a micro-VM. `buildImage` turns a pod file into
 * a bootable image (Debian's kernel, an ext4 system disk with deno, the
 * container runtimes and the bundled weft-init as PID 1, and a disk with the
 * pod), and `bootImage` boots it under QEMU, streams its console and learns
 * the pod's exit code. The `weft-vm` command (`./cli`) does both.
 *
 * @example
 * ```ts ignore
 * import { bootImage, buildImage } from "@weft/vm";
 *
 * const image = await buildImage("examples/pod/pod.json", { outDir: "/tmp/pod-vm" });
 * const result = await bootImage(image.dir, { onLine: (line) => console.log(line.text) });
 * console.log(`pod exit code ${result.exitCode}`);
 * ```
 *
 * @module
 */
export { buildImage, type BuildOptions, type VmImage } from "./image.ts";
export { bootImage, type BootOptions, type BootResult, type SerialLine } from "./boot.ts";
export { decodeExitStatus, podExitCode } from "./exit_code.ts";
export { type BootPhase, bootTimeline, formatTimeline } from "./timeline.ts";
export {
  type CommandLineSpec,
  kernelCommandLine,
  qemuArgs,
  type QemuOptions,
  type VmManifest,
} from "./manifest.ts";
export {
  BOOT_MODULES,
  defaultCacheDir,
  ensureKernel,
  type Kernel,
  type KernelOptions,
} from "./kernel.ts";
export { moduleDependencies, parseModuleDepends } from "./kernel_modules.ts";
export {
  IMAGE_POD_DIR,
  PodImageError,
  type PodOverrides,
  type PodTree,
  readPodTree,
  stagePod,
} from "./pod_tree.ts";
export { IMAGE_DENO_DIR, stageSystem, type SystemSpec } from "./system_tree.ts";
export { EARLY_INIT_SCRIPT, stageEarlyInit } from "./early_init.ts";
export { writeCpio, writeExt4 } from "./archive.ts";
