import assert from "node:assert/strict";
import { MAX_DOCUMENT_BYTES, readRegularFile, UnreadableFileError } from "./mod.ts";

Deno.test("only a regular file within its bound is read; anything else is refused unread", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fifo = `${dir}/fifo`;
    assert.equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
    await Deno.writeFile(`${dir}/big`, new Uint8Array(MAX_DOCUMENT_BYTES + 1));
    await Deno.writeFile(`${dir}/exact`, new Uint8Array(MAX_DOCUMENT_BYTES));
    const cases: [string, RegExp][] = [
      [fifo, /^expected a regular file, got a FIFO$/],
      [dir, /^expected a regular file, got a directory$/],
      ["/dev/zero", /^expected a regular file, got a character device$/],
      [`${dir}/missing`, /^no such file$/],
      [`${dir}/big`, /^larger than the 1048576 bytes the file may have$/],
    ];
    for (const [path, expected] of cases) {
      await assert.rejects(readRegularFile(path), (error: Error) => {
        assert.ok(error instanceof UnreadableFileError, String(error));
        assert.match(error.message, expected, path);
        return true;
      });
    }
    assert.equal((await readRegularFile(`${dir}/exact`)).length, MAX_DOCUMENT_BYTES);
    // A file that reports no size (procfs) is read to its end, within the bound.
    const status = new TextDecoder().decode(await readRegularFile("/proc/self/status"));
    assert.match(status, /^Name:/);
    await assert.rejects(
      readRegularFile("/proc/self/status", { maxBytes: 10, what: "a status" }),
      /larger than the 10 bytes a status may have/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
