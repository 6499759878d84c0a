/**
 * Kernel module dependencies, read from the modules themselves: each `.ko`
 * carries a `depends=a,b` string in its `.modinfo` section, so no
 * `modules.dep` (which only `depmod` at install time writes) is needed.
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

async function indexModules(dir: string, into: Map<string, string>): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await indexModules(path, into);
    else if (entry.name.endsWith(".ko")) {
      into.set(entry.name.slice(0, -3).replaceAll("-", "_"), path);
    }
  }
}

/**
 * The modules `wanted` and everything they depend on, in load order
 * (dependencies first), each with its file.
 *
 * @param tree The `kernel/` directory of `/lib/modules/<version>`.
 * @param wanted Module names.
 * @returns Name to path, in load order.
 * @throws {Error} When a module (or a dependency) is not in the tree.
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
  const visit = async (name: string, from: string): Promise<void> => {
    if (order.has(name)) return;
    const path = index.get(name);
    if (path === undefined) {
      throw new Error(`Cannot find kernel module "${name}" (${from}) under "${tree}"`);
    }
    for (const dep of parseModuleDepends(await Deno.readFile(path))) {
      await visit(dep, `needed by ${name}`);
    }
    order.set(name, path);
  };
  for (const name of wanted) await visit(name, "asked for");
  return order;
}
