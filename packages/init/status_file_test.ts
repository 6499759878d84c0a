import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { StatusFile } from "./status_file.ts";

Deno.test("the status file is replaced atomically and holds the last version written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/sub/status.json`;
    const status = new StatusFile(path);
    // The first version is on disk before any read, so that from then on
    // the file must always exist and parse: a read made while each later
    // write is in flight sees the previous or the next version, never a
    // partial one and never no file. Every read is awaited, so each is
    // counted whatever the scheduling.
    status.write({ n: 0, padding: "x".repeat(10_000) });
    await status.flush();
    const seen: number[] = [];
    for (let i = 1; i < 200; i++) {
      status.write({ n: i, padding: "x".repeat(10_000) });
      seen.push(JSON.parse(await Deno.readTextFile(path)).n);
      if (i % 20 === 0) await status.flush();
    }
    await status.flush();
    strictEqual(JSON.parse(await Deno.readTextFile(path)).n, 199);
    deepStrictEqual([...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name), ["status.json"]);
    strictEqual(seen.length, 199);
    deepStrictEqual(seen, [...seen].sort((a, b) => a - b), "versions seen never go back");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
