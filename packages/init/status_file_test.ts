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
