/**
 * Stages the pod part of a VM's root: the pod file and every path it names
 * (bundles, root filesystems, image configs, plugin modules), at the same
 * place relative to the pod file, under `/pod`. The pod file is copied as
 * written, except for the runtime fields the image decides.
 *
 * @module
 */
import { loadConfig, type PodConfig } from "@weft/init";
import { run, sha256 } from "./_run.ts";

/**
 * Where the pod lives in the VM; its pod file is `/pod/<name of the pod file>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IMAGE_POD_DIR } from "@weft/vm";
 *
 * assert.equal(`${IMAGE_POD_DIR}/pod.json`, "/pod/pod.json");
 * ```
 */
export const IMAGE_POD_DIR = "/pod";

/**
 * A pod file that weft-vm cannot put into an image (besides the errors of
 * the pod file itself, which are weft-init's `ConfigError`s).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PodImageError } from "@weft/vm";
 *
 * const error = new PodImageError('containers[0].bundle: "/srv/web" is outside "/pods/a"');
 * assert.equal(error.name, "PodImageError");
 * ```
 */
export class PodImageError extends Error {
  /**
   * Creates the error.
   *
   * @param message What is wrong, naming the field.
   * @param options The cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PodImageError";
  }
}

/**
 * How the image changes the pod file's `runtime` object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PodOverrides } from "@weft/vm";
 *
 * const overrides: PodOverrides = { runtime: "runc", noPivot: true };
 * assert.equal(overrides.runtime, "runc");
 * ```
 */
export interface PodOverrides {
  /** Replaces `runtime.name`. @default {the pod file's} */
  runtime?: string;
  /** Sets `runtime.noPivot` (an initramfs root refuses pivot_root). @default {the pod file's} */
  noPivot?: boolean;
}

/**
 * A pod ready to be staged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PodTree } from "@weft/vm";
 *
 * const pod: PodTree = {
 *   file: "/pods/a/pod.json",
 *   dir: "/pods/a",
 *   text: "{}",
 *   paths: ["bundles/web"],
 *   runtime: "crun",
 *   key: "0123",
 * };
 * assert.equal(pod.paths.length, 1);
 * ```
 */
export interface PodTree {
  /** Absolute path of the pod file on the host. */
  file: string;
  /** Its directory. */
  dir: string;
  /** The pod file as the image holds it (overrides applied). */
  text: string;
  /** Paths the pod names, relative to `dir`, copied into the image. */
  paths: string[];
  /** The runtime name the image's pod file asks for. */
  runtime: string;
  /** The port of the pod file's `control.tcp` endpoint, if it has one. */
  controlTcpPort?: number;
  /** A content hash of all of it. */
  key: string;
}

function relative(dir: string, path: string, field: string): string {
  if (path === dir || !path.startsWith(`${dir}/`)) {
    throw new PodImageError(
      `${field}: "${path}" is outside the pod file's directory "${dir}": weft-vm copies ` +
        "only what lies under it into the image",
    );
  }
  return path.slice(dir.length + 1);
}

/** Every host path the parsed pod names, with the field that names it. */
function namedPaths(config: PodConfig): [string, string][] {
  const out: [string, string][] = [];
  config.containers.forEach((c, i) => {
    if (c.bundle !== undefined) out.push([`containers[${i}].bundle`, c.bundle]);
    if (c.spec !== undefined) out.push([`containers[${i}].rootfs`, c.spec.rootfs]);
    if (c.spec?.imageConfig !== undefined) {
      out.push([`containers[${i}].imageConfig`, c.spec.imageConfig]);
    }
  });
  config.runtime.plugins.forEach((plugin, i) => {
    // Registry and URL plugins are fetched by the VM's deno, not copied.
    if (plugin.startsWith("/")) out.push([`runtime.plugins[${i}]`, plugin]);
  });
  return out;
}

/** Hashes every file under `path` (names, modes, symlink targets and contents). */
async function hashTree(path: string, parts: string[]): Promise<void> {
  const info = await Deno.lstat(path);
  if (info.isSymlink) parts.push(`${path} -> ${await Deno.readLink(path)}`);
  else if (info.isFile) {
    parts.push(`${path} ${info.mode} ${await sha256(await Deno.readFile(path))}`);
  } else if (info.isDirectory) {
    parts.push(`${path}/ ${info.mode}`);
    const names = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    for (const name of names.sort()) await hashTree(`${path}/${name}`, parts);
  }
}

/**
 * Reads and checks a pod file (with weft-init's own parser) and finds what
 * the image must hold for it.
 *
 * @param podFile The pod file on the host.
 * @param overrides Runtime fields the image sets.
 * @returns The pod, with a content hash of everything it names.
 * @throws {Error} weft-init's `ConfigError` when it would refuse the pod file.
 * @throws {PodImageError} When it names a path outside its directory.
 *
 * @example
 * ```ts ignore
 * import { readPodTree } from "@weft/vm";
 *
 * const pod = await readPodTree("examples/pod/pod.json", { runtime: "runc" });
 * console.log(pod.paths); // ["bundles/demo-db", "bundles/demo-web", "bundles/demo-ticker"]
 * ```
 */
export async function readPodTree(
  podFile: string,
  overrides: PodOverrides = {},
): Promise<PodTree> {
  const file = await Deno.realPath(podFile).catch(() => podFile);
  const config = await loadConfig(file);
  const dir = file.slice(0, file.lastIndexOf("/")) || "/";
  const paths = [...new Set(namedPaths(config).map(([field, p]) => relative(dir, p, field)))];
  const document = JSON.parse(await Deno.readTextFile(file));
  const runtime = { ...document.runtime };
  if (overrides.runtime !== undefined) runtime.name = overrides.runtime;
  if (overrides.noPivot !== undefined) runtime.noPivot = overrides.noPivot;
  const text = `${JSON.stringify({ ...document, runtime }, null, 2)}\n`;
  const parts = [text, ...paths];
  for (const path of paths) await hashTree(`${dir}/${path}`, parts);
  return {
    file,
    dir,
    text,
    paths,
    runtime: runtime.name ?? "auto",
    controlTcpPort: config.control?.tcp?.port,
    key: (await sha256(parts.join("\n"))).slice(0, 16),
  };
}

/**
 * Copies the pod into `root` (the directory that becomes {@linkcode IMAGE_POD_DIR}).
 *
 * @param root The directory to fill.
 * @param pod The pod from {@linkcode readPodTree}.
 * @returns The pod file's path inside the VM.
 *
 * @example
 * ```ts ignore
 * import { readPodTree, stagePod } from "@weft/vm";
 *
 * const inVm = await stagePod("/tmp/pod-root", await readPodTree("pod.json"));
 * console.log(inVm); // "/pod/pod.json"
 * ```
 */
export async function stagePod(root: string, pod: PodTree): Promise<string> {
  await Deno.mkdir(root, { recursive: true });
  for (const path of pod.paths) {
    const target = `${root}/${path}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await run("cp", ["-a", "--", `${pod.dir}/${path}`, target]);
  }
  const name = pod.file.slice(pod.file.lastIndexOf("/") + 1);
  await Deno.writeTextFile(`${root}/${name}`, pod.text);
  return `${IMAGE_POD_DIR}/${name}`;
}
