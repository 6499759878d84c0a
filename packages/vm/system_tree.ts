/**
 * Stages the system part of a VM's root in a directory: busybox with its
 * applets, deno (unless the init is a compiled binary), the container
 * runtimes with every library `ldd` lists at the same paths, the init, and
 * Deno's code cache for it (so the VM does not compile the init on every
 * boot).
 *
 * @module
 */
import { initRunOptions } from "@weft/init/run-options";
import { hasElfMagic, run } from "./_run.ts";

/**
 * What goes into the system part of an image.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SystemSpec } from "@weft/vm";
 *
 * const spec: SystemSpec = {
 *   init: "dist/weft-init.js",
 *   binaries: { deno: "/usr/bin/deno", crun: "/usr/bin/crun" },
 *   busybox: "/bin/busybox",
 *   codeCache: true,
 * };
 * assert.equal(Object.keys(spec.binaries).length, 2);
 * ```
 */
export interface SystemSpec {
  /** The init: a bundled JavaScript file (run by deno) or a compiled ELF binary. */
  init: string;
  /** Binaries copied to `/usr/bin/<name>`, with their libraries. */
  binaries: Record<string, string>;
  /** A static busybox, copied to `/bin/busybox` with a symlink per applet. */
  busybox: string;
  /** Bake Deno's code cache of the init into `/var/cache/deno`. */
  codeCache: boolean;
}

/**
 * Where the image keeps Deno's cache; the kernel command line sets DENO_DIR to it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IMAGE_DENO_DIR } from "@weft/vm";
 *
 * assert.equal(IMAGE_DENO_DIR, "/var/cache/deno");
 * ```
 */
export const IMAGE_DENO_DIR = "/var/cache/deno";

/** Whether `path` is an ELF file (a compiled init) rather than JavaScript. */
export async function isElf(path: string): Promise<boolean> {
  const file = await Deno.open(path);
  try {
    const head = new Uint8Array(4);
    return await file.read(head) === 4 && hasElfMagic(head);
  } finally {
    file.close();
  }
}

/** The shared libraries a binary loads, as absolute host paths (none if static). */
export async function libraries(binary: string): Promise<string[]> {
  const child = await new Deno.Command("ldd", { args: [binary], stdout: "piped", stderr: "null" })
    .output();
  // ldd exits 1 for a static binary ("not a dynamic executable").
  if (!child.success) return [];
  const libs: string[] = [];
  for (const line of new TextDecoder().decode(child.stdout).split("\n")) {
    const match = line.match(/(?:=>\s*)?(\/\S+)\s+\(0x/);
    if (match !== null) libs.push(match[1]);
    else if (line.includes("not found")) {
      throw new Error(
        `Cannot build the VM image: ${binary} needs a missing library: ${line.trim()}`,
      );
    }
  }
  return libs;
}

/** Copies a host file into `root` at `imagePath`, keeping its mode. */
export async function copyInto(
  root: string,
  hostPath: string,
  imagePath = hostPath,
): Promise<void> {
  const target = `${root}${imagePath}`;
  await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
  await Deno.copyFile(hostPath, target);
  await Deno.chmod(target, (await Deno.stat(hostPath)).mode! & 0o7777);
}

/** Installs busybox at `/bin/busybox` of `root` with a symlink per applet. */
export async function installBusybox(root: string, busybox: string): Promise<void> {
  await copyInto(root, busybox, "/bin/busybox");
  const applets = (await run(busybox, ["--list"])).split("\n").filter((n) =>
    /^[a-z0-9_.[-]+$/.test(n)
  );
  for (const name of applets) {
    if (name !== "busybox") await Deno.symlink("busybox", `${root}/bin/${name}`);
  }
}

/** Makes the directories every root needs, and `/dev/console` (opened by the kernel for PID 1). */
export async function makeSkeleton(root: string, extra: readonly string[] = []): Promise<void> {
  for (const dir of ["proc", "sys", "dev", "run", "tmp", "etc", "root", "bin", "sbin", ...extra]) {
    await Deno.mkdir(`${root}/${dir}`, { recursive: true });
  }
  await run("mknod", ["-m", "600", `${root}/dev/console`, "c", "5", "1"]);
}

/**
 * Runs the init once inside the staged root (`chroot`, `--version`) so that
 * Deno writes its code cache for `/init.js` into {@linkcode IMAGE_DENO_DIR}:
 * the cache is keyed by the module's URL and source, which the VM shares.
 */
async function bakeCodeCache(root: string): Promise<void> {
  await Deno.mkdir(`${root}${IMAGE_DENO_DIR}`, { recursive: true });
  await run(
    "chroot",
    [root, "/usr/bin/deno", "run", ...initRunOptions(), "/init.js", "--version"],
    {
      env: { DENO_DIR: IMAGE_DENO_DIR, NO_COLOR: "1", HOME: "/root" },
    },
  );
}

/**
 * Stages the system part described by `spec` into `root` (created if
 * absent). A JavaScript init lands at `/init.js` (run by `/usr/bin/deno`), a
 * compiled one at `/usr/bin/weft-init`.
 *
 * @param root The directory to fill.
 * @param spec What to put in it.
 * @returns Resolves when staged.
 *
 * @example
 * ```ts ignore
 * import { stageSystem } from "@weft/vm";
 *
 * await stageSystem("/tmp/root", {
 *   init: "dist/weft-init.js",
 *   binaries: { deno: Deno.execPath(), crun: "/usr/bin/crun" },
 *   busybox: "/bin/busybox",
 *   codeCache: true,
 * });
 * ```
 */
export async function stageSystem(root: string, spec: SystemSpec): Promise<void> {
  await makeSkeleton(root, ["pod", "var/cache"]);
  for (const [name, path] of Object.entries(spec.binaries)) {
    await copyInto(root, path, `/usr/bin/${name}`);
    for (const lib of await libraries(path)) await copyInto(root, lib);
  }
  await installBusybox(root, spec.busybox);
  if (await isElf(spec.init)) {
    await copyInto(root, spec.init, "/usr/bin/weft-init");
    for (const lib of await libraries(spec.init)) await copyInto(root, lib);
    return;
  }
  await Deno.copyFile(spec.init, `${root}/init.js`);
  if (spec.codeCache) await bakeCodeCache(root);
}
