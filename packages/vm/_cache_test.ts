import assert from "node:assert/strict";
import { cachedPart, prune, touch } from "./_cache.ts";

const HOUR = 3_600_000;

async function entry(dir: string, name: string, ageMs: number): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.mkdir(path);
  await Deno.writeTextFile(`${path}/file`, name);
  const when = new Date(Date.now() - ageMs);
  await Deno.utime(path, when, when);
  return path;
}

async function names(dir: string): Promise<string[]> {
  const found = [];
  for await (const e of Deno.readDir(dir)) found.push(e.name);
  return found.sort();
}

Deno.test("prune keeps the one in use and the two newest others, removes older ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const keep = await entry(dir, "a-keep", 9 * HOUR);
    for (let i = 1; i <= 5; i++) await entry(dir, `a-${i}`, i * HOUR);
    await entry(dir, "b-other-prefix", 10 * HOUR);
    await prune(dir, "a-", keep);
    assert.deepEqual(await names(dir), ["a-1", "a-2", "a-keep", "b-other-prefix"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prune never removes what was touched within the grace time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const keep = await entry(dir, "x-keep", 0);
    for (let i = 1; i <= 4; i++) await entry(dir, `x-${i}`, i * 60_000);
    const reused = await entry(dir, "x-old-but-reused", 5 * HOUR);
    await touch(reused);
    await prune(dir, "x-", keep);
    // Every entry is younger than the 15-minute grace: a concurrent build may be using it.
    assert.equal((await names(dir)).length, 6);
    await prune(dir, "x-", keep, 0);
    assert.deepEqual(await names(dir), ["x-1", "x-keep", "x-old-but-reused"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prune runs beside another pruner removing the same entries without failing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const keep = await entry(dir, "p-keep", 0);
    for (let i = 1; i <= 40; i++) await entry(dir, `p-${i}`, i * HOUR);
    await Promise.all([prune(dir, "p-", keep), prune(dir, "p-", keep), prune(dir, "p-", keep)]);
    assert.deepEqual(await names(dir), ["p-1", "p-2", "p-keep"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cachedPart builds once, then reuses and touches the entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const target = `${dir}/part-1`;
    let builds = 0;
    const make = async (temp: string) => {
      builds++;
      await Deno.writeTextFile(temp, "built");
    };
    await cachedPart(target, make);
    const old = new Date(Date.now() - HOUR);
    await Deno.utime(target, old, old);
    await cachedPart(target, make);
    assert.equal(builds, 1);
    assert.equal(await Deno.readTextFile(target), "built");
    const mtime = (await Deno.stat(target)).mtime!.getTime();
    assert.ok(Date.now() - mtime < 60_000, "reuse touched the part");
    assert.deepEqual(await names(dir), ["part-1"], "no temporary directory left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
