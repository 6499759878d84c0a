import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { StatusFile } from "./status_file.ts";

Deno.test("the status file is replaced atomically and holds the last version written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/sub/status.json`;
    const status = new StatusFile(path);
    // A reader polling meanwhile must never see a partial document.
    let reads = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const text = await Deno.readTextFile(path).catch(() => undefined);
        if (text !== undefined) {
          JSON.parse(text);
          reads++;
        }
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    })();
    for (let i = 0; i < 200; i++) {
      status.write({ n: i, padding: "x".repeat(10_000) });
      if (i % 20 === 0) await status.flush();
    }
    await status.flush();
    reading = false;
    await reader;
    strictEqual(JSON.parse(await Deno.readTextFile(path)).n, 199);
    deepStrictEqual([...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name), ["status.json"]);
    strictEqual(reads > 0, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
