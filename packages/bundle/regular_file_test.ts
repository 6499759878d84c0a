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

Deno.test("a path replaced between its check and its open is judged by the file opened", async () => {
  const dir = await Deno.makeTempDir();
  const stat = Deno.stat;
  try {
    const path = `${dir}/passwd`;
    /** Replacements of a regular file, each made just after a stat of the path answers. */
    const swaps: [string, () => Promise<void>, RegExp][] = [
      ["a link to /dev/zero", () => Deno.symlink("/dev/zero", path), /character device$/],
      ["a directory", () => Deno.mkdir(path), /directory$/],
      [
        "a larger file",
        () => Deno.writeFile(path, new Uint8Array(100)),
        /^larger than the 50 bytes the file may have$/,
      ],
    ];
    for (const [what, swap, expected] of swaps) {
      await Deno.writeTextFile(path, "root:x:0:0::/root:/bin/sh\n");
      let swapped = false;
      // The window an attacker needs: the path changes right after a check of it by path.
      Deno.stat = async (target: string | URL): Promise<Deno.FileInfo> => {
        const info = await stat(target);
        if (target === path && !swapped) {
          swapped = true;
          await Deno.remove(path);
          await swap();
        }
        return info;
      };
      await assert.rejects(readRegularFile(path, { maxBytes: 50 }), (error: Error) => {
        assert.ok(error instanceof UnreadableFileError, String(error));
        assert.match(error.message, expected, what);
        return true;
      });
      Deno.stat = stat;
      await Deno.remove(path, { recursive: true });
    }
  } finally {
    Deno.stat = stat;
    await Deno.remove(dir, { recursive: true });
  }
});
