import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { isElf, stageSystem } from "./system_tree.ts";

const busybox = await requireBinary("busybox");

/** Stages a system with `init` (made by `makeInit` in a temporary directory) and checks it. */
async function staged(
  makeInit: (dir: string) => Promise<string>,
  binaries: Record<string, string>,
  check: (image: string, init: string) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "weft-vm-system-" });
  try {
    const init = await makeInit(root);
    await stageSystem(`${root}/image`, { init, binaries, busybox: busybox!, codeCache: true });
    await check(`${root}/image`, init);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test({
  name: "a compiled init is staged as /usr/bin/weft-init, without deno or /init.js",
  ignore: busybox === undefined,
  async fn(): Promise<void> {
    // Any static ELF executable stands for `deno compile`'s output here (compile cannot run).
    await staged(() => Promise.resolve(busybox!), {}, async (image, init) => {
      assert.ok(await isElf(init));
      assert.ok((await Deno.stat(`${image}/usr/bin/weft-init`)).mode! & 0o111);
      await assert.rejects(Deno.stat(`${image}/init.js`), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(`${image}/usr/bin/deno`), Deno.errors.NotFound);
      assert.equal(await Deno.readLink(`${image}/bin/sh`), "busybox");
    });
  },
});

Deno.test({
  name: "a JavaScript init is staged as /init.js with Deno's code cache baked in",
  ignore: busybox === undefined,
  async fn(): Promise<void> {
    const write = async (dir: string) => {
      await Deno.writeTextFile(`${dir}/init.js`, 'console.log("init " + Deno.args.join(" "));\n');
      return `${dir}/init.js`;
    };
    await staged(write, { deno: Deno.execPath() }, async (image, init) => {
      assert.equal(await isElf(init), false);
      assert.ok((await Deno.stat(`${image}/init.js`)).isFile);
      assert.ok((await Deno.stat(`${image}/var/cache/deno/v8_code_cache_v2`)).size > 0);
    });
  },
});
