import assert from "node:assert/strict";
import { captureLogs } from "@weft/runtime/testing";
import { LogFile } from "./_log_file.ts";

const encoder = new TextEncoder();
const line = (i: number): Uint8Array => encoder.encode(`line ${String(i).padStart(3, "0")}\n`); // 9 bytes

Deno.test("a rotation that fails loses no line, throws nothing, is reported once, and is retried", async () => {
  const dir = await Deno.makeTempDir();
  await using logs = await captureLogs(["weft", "init", "stdio"], "info");
  const records = logs.records;
  try {
    const path = `${dir}/web.log`;
    // PATH.1 is a directory that is not empty: renaming PATH onto it fails (EISDIR), even for root.
    await Deno.mkdir(`${path}.1/in-the-way`, { recursive: true });
    const file = LogFile.open(path, { maxBytes: 30, maxFiles: 2 }).acquire();
    for (let i = 0; i < 10; i++) file.write(line(i));
    const all = Array.from({ length: 10 }, (_, i) => `line ${String(i).padStart(3, "0")}\n`);
    assert.equal(await Deno.readTextFile(path), all.join(""), "every line, in the file held");
    const errors = records.filter((r) => r.level === "error");
    assert.equal(errors.length, 1, "reported once");
    assert.match(String(errors[0].properties.error), /directory/i);
    assert.equal(errors[0].properties.held, path);

    // Once the way is clear, the next rotation point rotates: nothing was lost on the way.
    await Deno.remove(`${path}.1`, { recursive: true });
    file.write(line(10));
    file.write(line(11));
    file.release();
    assert.equal(await Deno.readTextFile(`${path}.1`), all.join(""));
    assert.equal(await Deno.readTextFile(path), "line 010\nline 011\n");
    assert.ok(records.some((r) => r.level === "info" && /rotates again/.test(String(r.message))));
    assert.equal(records.filter((r) => r.level === "error").length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with maxFiles 1 a rotation starts the one file again in place", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/web.log`;
    const file = LogFile.open(path, { maxBytes: 20, maxFiles: 1 }).acquire();
    for (let i = 0; i < 5; i++) file.write(line(i));
    file.release();
    assert.equal(await Deno.readTextFile(path), "line 004\n");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["web.log"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a new file that cannot be created (no inode left) loses no line: they go on into PATH.1", async () => {
  // A tmpfs of 3 inodes, in a private mount namespace: its root, PATH and a
  // spare file; the rotation's new PATH finds no inode until the spare is gone.
  const dir = await Deno.makeTempDir();
  const script = `
    import { configure } from "npm:@logtape/logtape@^2.4.2";
    import { LogFile } from ${JSON.stringify(new URL("./_log_file.ts", import.meta.url).href)};
    const errors = [];
    await configure({
      sinks: { buffer: (record) => record.level === "error" && errors.push(record.properties) },
      loggers: [
        { category: ["weft", "init", "stdio"], sinks: ["buffer"], lowestLevel: "info" },
        { category: ["logtape", "meta"], sinks: [], lowestLevel: "error" },
      ],
    });
    const dir = Deno.args[0];
    Deno.writeTextFileSync(dir + "/spare", "");
    const file = LogFile.open(dir + "/web.log", { maxBytes: 30, maxFiles: 2 }).acquire();
    const line = (i) => new TextEncoder().encode("line " + String(i).padStart(3, "0") + "\\n");
    for (let i = 0; i < 10; i++) file.write(line(i));
    const held = Deno.readTextFileSync(dir + "/web.log.1");
    const created = (() => { try { Deno.statSync(dir + "/web.log"); return true; } catch { return false; } })();
    Deno.removeSync(dir + "/spare");
    file.write(line(10));
    file.write(line(11));
    file.release();
    console.log(JSON.stringify({
      errors: errors.map((e) => ({ held: e.held, error: e.error })),
      held,
      created,
      old: Deno.readTextFileSync(dir + "/web.log.1"),
      now: Deno.readTextFileSync(dir + "/web.log"),
    }));
  `;
  try {
    const { code, stdout, stderr } = await new Deno.Command("unshare", {
      args: [
        "-m",
        "--propagation",
        "private",
        "sh",
        "-c",
        'mount -t tmpfs -o nr_inodes=3,size=1m none "$1" && exec "$2" eval --ext=ts "$3" "$1"',
        "sh",
        dir,
        Deno.execPath(),
        script,
      ],
    }).output();
    const decoder = new TextDecoder();
    assert.equal(code, 0, decoder.decode(stderr));
    const result = JSON.parse(decoder.decode(stdout));
    const all = Array.from({ length: 10 }, (_, i) => `line ${String(i).padStart(3, "0")}\n`).join(
      "",
    );
    assert.equal(result.created, false, "no inode was left for the new PATH");
    assert.equal(result.held, all, "every line, in the file held (now PATH.1)");
    assert.equal(result.errors.length, 1, "reported once");
    assert.equal(result.errors[0].held, `${dir}/web.log.1`);
    assert.match(result.errors[0].error, /No space left/);
    // Once an inode was free, the retry opened PATH only (no second rename over the held file).
    assert.equal(result.old, all);
    assert.equal(result.now, "line 010\nline 011\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
