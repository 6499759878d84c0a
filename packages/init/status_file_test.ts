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

/** Runs `fn` with a status file in a fresh directory, removed afterwards. */
async function withStatusFile(
  fn: (status: StatusFile, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(new StatusFile(`${dir}/status.json`), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("updates are built when written: a burst costs one build, a later change one more", async () => {
  await withStatusFile(async (status) => {
    let state = 0;
    let builds = 0;
    const build = () => (builds++, { state });
    for (state = 1; state <= 50; state++) status.update(build);
    // Not built before the burst's synchronous code has ended.
    strictEqual(builds, 0);
    await Promise.resolve();
    strictEqual(builds, 1);
    // Changes while that write runs are coalesced into one more write, of the latest state.
    for (let i = 0; i < 10; i++) {
      state++;
      status.update(build);
    }
    await status.flush();
    strictEqual(builds, 2);
    strictEqual(JSON.parse(await Deno.readTextFile(status.path)).state, state);
  });
});

Deno.test("a document that cannot be built is skipped and the next update is still written", async () => {
  await withStatusFile(async (status, dir) => {
    status.update(() => {
      throw new Error("broken");
    });
    await status.flush();
    status.update(() => ({ ok: true }));
    await status.flush();
    deepStrictEqual(JSON.parse(await Deno.readTextFile(status.path)), { ok: true });
    deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["status.json"]);
  });
});
