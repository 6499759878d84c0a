/**
 * Kernel module dependencies, read from the modules themselves: each `.ko`
 * carries a `depends=a,b` string in its `.modinfo` section, so no
 * `modules.dep` (which only `depmod` at install time writes) is needed.
 * Modules compressed by the kernel's build (`.ko.xz`, `.ko.zst`, `.ko.gz`)
 * are decompressed here, at build time: busybox `insmod` in the VM loads
 * only plain `.ko` files.
 *
 * @module
 */

const DEPENDS = new TextEncoder().encode("\0depends=");

/**
 * The `depends=` list of a module file's contents.
 *
 * @param bytes The `.ko` file.
 * @returns Module names (with `_`, as the kernel names them), empty when none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseModuleDepends } from "@weft/vm";
 *
 * const ko = new TextEncoder().encode("\x7fELF...\0license=GPL\0depends=jbd2,mbcache\0");
 * assert.deepEqual(parseModuleDepends(ko), ["jbd2", "mbcache"]);
 * ```
 */
export function parseModuleDepends(bytes: Uint8Array): string[] {
  outer: for (let i = 0; i + DEPENDS.length <= bytes.length; i++) {
    for (let j = 0; j < DEPENDS.length; j++) {
      if (bytes[i + j] !== DEPENDS[j]) continue outer;
    }
    const start = i + DEPENDS.length;
    const end = bytes.indexOf(0, start);
    const list = new TextDecoder().decode(bytes.subarray(start, end < 0 ? undefined : end));
    return list.split(",").filter((name) => name !== "");
  }
  return [];
}

/** The tool that decompresses each compressed module suffix, and its Debian package. */
const DECOMPRESSORS: Record<string, { tool: string; pkg: string }> = {
  ".ko.xz": { tool: "xz", pkg: "xz-utils" },
  ".ko.zst": { tool: "zstd", pkg: "zstd" },
  ".ko.gz": { tool: "gzip", pkg: "gzip" },
};

function moduleSuffix(file: string): string | undefined {
  return [".ko", ...Object.keys(DECOMPRESSORS)].find((suffix) => file.endsWith(suffix));
}

/**
 * A module file's contents, uncompressed.
 *
 * @param path A `.ko`, `.ko.xz`, `.ko.zst` or `.ko.gz` file.
 * @returns The plain `.ko` bytes, which busybox `insmod` loads.
 * @throws {Error} Naming the module and the missing tool when it cannot be decompressed.
 *
 * @example
 * ```ts ignore
 * import { readModule } from "@weft/vm";
 *
 * const ko = await readModule("/lib/modules/6.12.0-1-amd64/kernel/fs/ext4/ext4.ko.xz");
 * console.log(ko.length);
 * ```
 */
export async function readModule(path: string): Promise<Uint8Array> {
  const suffix = moduleSuffix(path);
  const decompressor = suffix === undefined ? undefined : DECOMPRESSORS[suffix];
  if (decompressor === undefined) return await Deno.readFile(path);
  const why = `Cannot decompress kernel module "${path}" (busybox insmod in the VM loads only ` +
    "uncompressed modules)";
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(decompressor.tool, {
      args: ["-dc", path],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(`${why}: "${decompressor.tool}" is not in PATH (install ${decompressor.pkg})`);
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`${why}: ${decompressor.tool} exited with code ${output.code}: ${stderr}`);
  }
  return output.stdout;
}

async function indexModules(dir: string, into: Map<string, string>): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    const suffix = moduleSuffix(entry.name);
    if (entry.isDirectory) await indexModules(path, into);
    else if (suffix !== undefined) {
      into.set(entry.name.slice(0, -suffix.length).replaceAll("-", "_"), path);
    }
  }
}

/**
 * The modules `wanted` and everything they depend on, in load order
 * (dependencies first), each with its file (possibly compressed: read it
 * with {@linkcode readModule}).
 *
 * @param tree The `kernel/` directory of `/lib/modules/<version>`.
 * @param wanted Module names.
 * @returns Name to path, in load order.
 * @throws {Error} When a module (or a dependency) is not in the tree, cannot
 *   be decompressed, or the dependencies form a cycle (no load order exists).
 *
 * @example
 * ```ts ignore
 * import { moduleDependencies } from "@weft/vm";
 *
 * const order = await moduleDependencies("/lib/modules/6.1.0-57-amd64/kernel", ["ext4"]);
 * console.log([...order.keys()]); // ["crc16", "mbcache", "jbd2", ..., "ext4"]
 * ```
 */
export async function moduleDependencies(
  tree: string,
  wanted: readonly string[],
): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  await indexModules(tree, index);
  const order = new Map<string, string>();
  const visit = async (name: string, chain: readonly string[]): Promise<void> => {
    if (order.has(name)) return;
    if (chain.includes(name)) {
      throw new Error(
        `Cannot order kernel modules under "${tree}": their dependencies form a cycle: ${
          [...chain.slice(chain.indexOf(name)), name].join(" -> ")
        }`,
      );
    }
    const path = index.get(name);
    if (path === undefined) {
      const from = chain.length === 0 ? "asked for" : `needed by ${chain.at(-1)}`;
      throw new Error(`Cannot find kernel module "${name}" (${from}) under "${tree}"`);
    }
    for (const dep of parseModuleDepends(await readModule(path))) {
      await visit(dep, [...chain, name]);
    }
    order.set(name, path);
  };
  for (const name of wanted) await visit(name, []);
  return order;
}
