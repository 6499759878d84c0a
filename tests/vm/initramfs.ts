/**
 * Builds the initramfs of the VM test: busybox, the deno binary, crun, runc
 * and every library `ldd` lists for them, the init script as `/init.js`,
 * extra files (pod configurations) and busybox OCI bundles under `/pod`.
 * The archive is a plain `cpio -H newc` (uncompressed boots fastest under
 * TCG) cached under a key of all inputs, so an unchanged build is free.
 */
import { createBusyboxBundle } from "@weft/runtime/testing";
import { run } from "./_run.ts";

/** One OCI bundle put into the image at `/pod/<id>`. */
export interface BundleSpec {
  /** Directory name under `/pod` (the container id by convention). */
  id: string;
  /** The container's argv. */
  args: string[];
  /** Run in the VM's PID namespace, so its orphans are reparented to PID 1. @default {false} */
  hostPid?: boolean;
}

/** What goes into the image. */
export interface InitramfsSpec {
  /** The JavaScript file that runs as PID 1 (`/init.js`). */
  init: string;
  /** Extra text files: absolute path in the image -> contents. @default {{}} */
  files?: Record<string, string>;
  /** Busybox bundles under `/pod`. @default {[]} */
  bundles?: BundleSpec[];
}

/** Options of {@linkcode buildInitramfs}. */
export interface InitramfsOptions {
  /** Where archives are cached. */
  cacheDir: string;
  /** Binaries (name -> host path) copied to `/usr/bin`. @default {deno (this process), crun, runc} */
  binaries?: Record<string, string>;
}

/** The result of {@linkcode buildInitramfs}. */
export interface Initramfs {
  /** Path of the cpio archive. */
  path: string;
  /** Whether it came from the cache. */
  cached: boolean;
  /** Build time in milliseconds (0 when cached). */
  buildMs: number;
}

/** Archives kept in the cache; older ones are removed (each is about 110 MB). */
const KEEP = 2;

async function which(name: string): Promise<string> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      const info = await Deno.stat(`${dir}/${name}`);
      if (info.isFile && (info.mode ?? 0) & 0o111) return `${dir}/${name}`;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`Cannot build the VM image: "${name}" is not in PATH`);
}

/** The shared libraries a binary loads, as absolute host paths (none if static). */
async function libraries(binary: string): Promise<string[]> {
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

async function hashText(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A key of every input: big binaries by path, size and mtime (hashing
 * 100 MB of deno on every run would cost more than it saves), small
 * inputs by content, and this builder's own source.
 */
async function cacheKey(spec: InitramfsSpec, hostFiles: string[]): Promise<string> {
  const parts: string[] = [];
  for (const file of [...new Set(hostFiles)].sort()) {
    const info = await Deno.stat(file);
    parts.push(`${file} ${info.size} ${info.mtime?.getTime()}`);
  }
  parts.push(await Deno.readTextFile(spec.init));
  parts.push(JSON.stringify({ files: spec.files, bundles: spec.bundles }));
  parts.push(await Deno.readTextFile(new URL(import.meta.url)));
  return (await hashText(parts.join("\n"))).slice(0, 16);
}

async function copyInto(root: string, hostPath: string, imagePath = hostPath): Promise<void> {
  const target = `${root}${imagePath}`;
  await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
  await Deno.copyFile(hostPath, target);
  await Deno.chmod(target, (await Deno.stat(hostPath)).mode! & 0o7777);
}

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

async function stage(
  root: string,
  spec: InitramfsSpec,
  binaries: Record<string, string>,
): Promise<void> {
  for (const dir of ["proc", "sys", "dev", "run", "tmp", "etc", "root", "pod", "bin", "sbin"]) {
    await Deno.mkdir(`${root}/${dir}`, { recursive: true });
  }
  // The kernel opens /dev/console for PID 1 before anything is mounted.
  await run("mknod", ["-m", "600", `${root}/dev/console`, "c", "5", "1"]);
  for (const [name, path] of Object.entries(binaries)) {
    await copyInto(root, path, `/usr/bin/${name}`);
    for (const lib of await libraries(path)) await copyInto(root, lib);
  }
  const busybox = await which("busybox");
  await copyInto(root, busybox, "/bin/busybox");
  const applets = (await run(busybox, ["--list"])).split("\n").filter((n) =>
    /^[a-z0-9_.[-]+$/.test(n)
  );
  for (const name of applets) {
    if (name !== "busybox") await Deno.symlink("busybox", `${root}/bin/${name}`);
  }
  await Deno.copyFile(spec.init, `${root}/init.js`);
  for (const [path, text] of Object.entries(spec.files ?? {})) {
    await Deno.mkdir(`${root}${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${root}${path}`, text);
  }
  for (const bundle of spec.bundles ?? []) {
    const made = await createBusyboxBundle({
      parent: `${root}/pod`,
      busybox,
      args: bundle.args,
      configure: (config) => {
        const linux = config.linux as { namespaces: { type: string }[] };
        if (bundle.hostPid) linux.namespaces = linux.namespaces.filter((n) => n.type !== "pid");
      },
    });
    await Deno.rename(made.dir, `${root}/pod/${bundle.id}`);
  }
}

async function prune(cacheDir: string, keep: string): Promise<void> {
  const archives = [];
  for await (const entry of Deno.readDir(cacheDir)) {
    if (!entry.name.startsWith("initramfs-") || !entry.name.endsWith(".cpio")) continue;
    const path = `${cacheDir}/${entry.name}`;
    if (path === keep) continue;
    archives.push({ path, mtime: (await Deno.stat(path)).mtime?.getTime() ?? 0 });
  }
  archives.sort((a, b) => b.mtime - a.mtime);
  for (const old of archives.slice(KEEP - 1)) await Deno.remove(old.path).catch(() => {});
}

/**
 * Builds (or finds in the cache) the initramfs for `spec` and returns its
 * path. Concurrent builds are safe: each stages in its own directory and
 * renames the finished archive into place.
 */
export async function buildInitramfs(
  spec: InitramfsSpec,
  options: InitramfsOptions,
): Promise<Initramfs> {
  const binaries = options.binaries ?? {
    deno: Deno.execPath(),
    crun: await which("crun"),
    runc: await which("runc"),
  };
  const hostFiles = [await which("busybox")];
  for (const path of Object.values(binaries)) {
    hostFiles.push(path, ...await libraries(path));
  }
  const key = await cacheKey(spec, hostFiles);
  const archive = `${options.cacheDir}/initramfs-${key}.cpio`;
  try {
    await Deno.stat(archive);
    return { path: archive, cached: true, buildMs: 0 };
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const started = performance.now();
  await Deno.mkdir(options.cacheDir, { recursive: true });
  const root = await Deno.makeTempDir({ dir: options.cacheDir, prefix: "stage-" });
  try {
    await stage(`${root}/image`, spec, binaries);
    const list = (await listTree(`${root}/image`)).join("\0") + "\0";
    await run("cpio", ["--create", "--format=newc", "--null", "--quiet", "--owner=0:0"], {
      cwd: `${root}/image`,
      stdin: new TextEncoder().encode(list),
      stdoutFile: `${root}/initramfs.cpio`,
    });
    await Deno.rename(`${root}/initramfs.cpio`, archive);
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
  await prune(options.cacheDir, archive);
  return { path: archive, cached: false, buildMs: Math.round(performance.now() - started) };
}
