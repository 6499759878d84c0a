import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { isElf, stageSystem } from "./system_tree.ts";

const busybox = await requireBinary("busybox");

Deno.test({
  name: "a compiled init is staged as /usr/bin/weft-init, without deno or /init.js",
  ignore: busybox === undefined,
  async fn(): Promise<void> {
    const root = await Deno.makeTempDir({ prefix: "weft-vm-system-" });
    try {
      // Any static ELF executable stands for `deno compile`'s output here (compile cannot run).
      assert.ok(await isElf(busybox!));
      await stageSystem(`${root}/image`, {
        init: busybox!,
        binaries: {},
        busybox: busybox!,
        codeCache: true,
      });
      assert.ok((await Deno.stat(`${root}/image/usr/bin/weft-init`)).mode! & 0o111);
      await assert.rejects(Deno.stat(`${root}/image/init.js`), Deno.errors.NotFound);
      await assert.rejects(Deno.stat(`${root}/image/usr/bin/deno`), Deno.errors.NotFound);
      assert.equal(await Deno.readLink(`${root}/image/bin/sh`), "busybox");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "a JavaScript init is staged as /init.js with Deno's code cache baked in",
  ignore: busybox === undefined,
  async fn(): Promise<void> {
    const root = await Deno.makeTempDir({ prefix: "weft-vm-system-" });
    try {
      await Deno.writeTextFile(`${root}/init.js`, 'console.log("init " + Deno.args.join(" "));\n');
      assert.equal(await isElf(`${root}/init.js`), false);
      await stageSystem(`${root}/image`, {
        init: `${root}/init.js`,
        binaries: { deno: Deno.execPath() },
        busybox: busybox!,
        codeCache: true,
      });
      assert.ok((await Deno.stat(`${root}/image/init.js`)).isFile);
      assert.ok((await Deno.stat(`${root}/image/var/cache/deno/v8_code_cache_v2`)).size > 0);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
