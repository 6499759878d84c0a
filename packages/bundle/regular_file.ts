// Files a PID 1 reads on a user's say-so (the pod file, seccomp profiles,
// image configs, a rootfs's /etc/passwd): only regular files of bounded
// size, since a FIFO would hang it and /dev/zero fill its memory.

/**
 * The largest JSON document read from a file: a pod file, a seccomp
 * profile, an image config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_DOCUMENT_BYTES } from "@weft/bundle";
 *
 * assert.equal(MAX_DOCUMENT_BYTES, 1024 * 1024);
 * ```
 */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/**
 * A file that cannot be read as asked: missing, not a regular file, larger
 * than its bound, or (as text) not UTF-8. The message says why, without the
 * path, for the caller to put in its own words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRegularFile, UnreadableFileError } from "@weft/bundle";
 *
 * await assert.rejects(readRegularFile("/dev/zero"), (error: Error) => {
 *   assert.ok(error instanceof UnreadableFileError);
 *   assert.equal(error.message, "expected a regular file, got a character device");
 *   return true;
 * });
 * ```
 */
export class UnreadableFileError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UnreadableFileError";
  }
}

/**
 * Options of {@linkcode readRegularFile}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ReadRegularFileOptions } from "@weft/bundle";
 *
 * const options: ReadRegularFileOptions = { maxBytes: 65536, what: "a passwd file" };
 * assert.equal(options.maxBytes, 65536);
 * ```
 */
export interface ReadRegularFileOptions {
  /** The most bytes read; a larger file is refused. @default {MAX_DOCUMENT_BYTES} */
  maxBytes?: number;
  /** What the file is, for the message of a file too large. @default {"the file"} */
  what?: string;
}

function kind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

/**
 * The bytes of `path` (symbolic links followed), refused with an
 * {@linkcode UnreadableFileError} unless it is a regular file of at most
 * `maxBytes`. The file opened is checked (fstat), so that what is read is
 * what was checked even when the path is replaced in between (by a link to
 * /dev/zero, a directory); the path is also checked before the open, since
 * opening a FIFO waits for a writer (Deno.open has no O_NONBLOCK). It is
 * read at most one byte past the bound, since a file may grow after the
 * check or report no size (/proc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readRegularFile } from "@weft/bundle";
 *
 * const file = await Deno.makeTempFile();
 * await Deno.writeTextFile(file, "root:x:0:0::/root:/bin/sh\n");
 * assert.equal((await readRegularFile(file, { maxBytes: 100 })).length, 26);
 * await assert.rejects(readRegularFile(file, { maxBytes: 10, what: "a passwd file" }), /larger than the 10 bytes a passwd file may have/);
 * await Deno.remove(file);
 * ```
 */
export async function readRegularFile(
  path: string,
  options: ReadRegularFileOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_DOCUMENT_BYTES;
  const tooLarge = () =>
    new UnreadableFileError(
      `larger than the ${maxBytes} bytes ${options.what ?? "the file"} may have`,
    );
  /** Refuses `info` unless it is a regular file within the bound. */
  const check = (info: Deno.FileInfo): void => {
    if (!info.isFile) throw new UnreadableFileError(`expected a regular file, got ${kind(info)}`);
    if (info.size > maxBytes) throw tooLarge();
  };
  try {
    // By path first: only so that a FIFO is not opened (the open would block).
    check(await Deno.stat(path));
    using handle = await Deno.open(path);
    // The check that counts: the file opened, whatever the path names now.
    const info = await handle.stat();
    check(info);
    // One byte past the size read tells the end; a file grown since the
    // stat (or with no size, as in /proc) grows the buffer up to the bound.
    let buffer = new Uint8Array(info.size + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw tooLarge();
        const bigger = new Uint8Array(Math.min(Math.max(length * 2, 4096), maxBytes + 1));
        bigger.set(buffer);
        buffer = bigger;
      }
      const n = await handle.read(buffer.subarray(length));
      if (n === null) return buffer.subarray(0, length);
      length += n;
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    const why = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
    throw new UnreadableFileError(why, { cause: error });
  }
}
