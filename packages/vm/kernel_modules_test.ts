import assert from "node:assert/strict";
import { moduleDependencies, readModule } from "./kernel_modules.ts";
import { withTempDir } from "./_test_utils.ts";

/** A stand-in `.ko`: only the `.modinfo` strings the reader looks at. */
function fakeKo(name: string, depends: string[]): Uint8Array {
  return new TextEncoder().encode(`\x7fELF\0name=${name}\0depends=${depends.join(",")}\0`);
}

async function compress(tool: string, path: string): Promise<void> {
  const { success } = await new Deno.Command(tool, { args: ["-q", path] }).output();
  assert.ok(success, `${tool} ${path}`);
}

function withTree(fn: (tree: string) => Promise<void>): Promise<void> {
  return withTempDir("weft-vm-modules-test-", fn);
}

Deno.test("compressed modules (.ko.xz, .ko.zst, .ko.gz) are indexed and read uncompressed", async () => {
  await withTree(async (tree) => {
    await Deno.mkdir(`${tree}/fs/ext4`, { recursive: true });
    await Deno.mkdir(`${tree}/lib`, { recursive: true });
    await Deno.writeFile(`${tree}/fs/ext4/ext4.ko`, fakeKo("ext4", ["jbd2", "crc16"]));
    await Deno.writeFile(`${tree}/lib/jbd2.ko`, fakeKo("jbd2", ["mbcache"]));
    await Deno.writeFile(`${tree}/lib/mbcache.ko`, fakeKo("mbcache", []));
    await Deno.writeFile(`${tree}/lib/crc16.ko`, fakeKo("crc16", []));
    await compress("xz", `${tree}/lib/jbd2.ko`);
    await compress("zstd", `${tree}/lib/mbcache.ko`);
    await Deno.remove(`${tree}/lib/mbcache.ko`); // zstd keeps its input
    await compress("gzip", `${tree}/lib/crc16.ko`);
    const order = await moduleDependencies(tree, ["ext4"]);
    assert.deepEqual([...order.keys()], ["mbcache", "jbd2", "crc16", "ext4"]);
    assert.equal(order.get("jbd2"), `${tree}/lib/jbd2.ko.xz`);
    assert.equal(order.get("mbcache"), `${tree}/lib/mbcache.ko.zst`);
    assert.equal(order.get("crc16"), `${tree}/lib/crc16.ko.gz`);
    for (const [name, path] of order) {
      assert.deepEqual(
        await readModule(path),
        fakeKo(name, name === "ext4" ? ["jbd2", "crc16"] : name === "jbd2" ? ["mbcache"] : []),
      );
    }
  });
});

Deno.test("a compressed module without its decompressor fails naming the module and the tool", async () => {
  await withTree(async (tree) => {
    await Deno.writeFile(`${tree}/virtio_blk.ko`, fakeKo("virtio_blk", []));
    await compress("xz", `${tree}/virtio_blk.ko`);
    const path = Deno.env.get("PATH");
    Deno.env.set("PATH", tree); // no xz there
    try {
      await assert.rejects(
        () => moduleDependencies(tree, ["virtio_blk"]),
        new RegExp(
          `Cannot decompress kernel module "${tree}/virtio_blk\\.ko\\.xz" \\(busybox insmod .*\\): ` +
            '"xz" is not in PATH \\(install xz-utils\\)',
        ),
      );
    } finally {
      Deno.env.set("PATH", path ?? "");
    }
  });
});

Deno.test("a dependency cycle among modules is refused with the cycle, not recursed forever", async () => {
  await withTree(async (tree) => {
    await Deno.writeFile(`${tree}/a.ko`, fakeKo("a", ["b"]));
    await Deno.writeFile(`${tree}/b.ko`, fakeKo("b", ["c"]));
    await Deno.writeFile(`${tree}/c.ko`, fakeKo("c", ["a"]));
    await Deno.writeFile(`${tree}/top.ko`, fakeKo("top", ["a"]));
    await assert.rejects(
      () => moduleDependencies(tree, ["top"]),
      /their dependencies form a cycle: a -> b -> c -> a$/,
    );
    // A module reached twice without a cycle (a diamond) is loaded once.
    await Deno.writeFile(`${tree}/c.ko`, fakeKo("c", []));
    await Deno.writeFile(`${tree}/d.ko`, fakeKo("d", ["b", "c"]));
    const order = await moduleDependencies(tree, ["d", "top"]);
    assert.deepEqual([...order.keys()], ["c", "b", "d", "a", "top"]);
  });
});

Deno.test("a missing module names what needed it", async () => {
  await withTree(async (tree) => {
    await Deno.writeFile(`${tree}/ext4.ko`, fakeKo("ext4", ["jbd2"]));
    await assert.rejects(
      () => moduleDependencies(tree, ["ext4"]),
      /Cannot find kernel module "jbd2" \(needed by ext4\)/,
    );
    await assert.rejects(
      () => moduleDependencies(tree, ["nope"]),
      /Cannot find kernel module "nope" \(asked for\)/,
    );
  });
});
