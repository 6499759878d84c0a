import { writeAllSync } from "@weft/runtime";
import { forEachLine } from "./_line_framer.ts";

const NEWLINE = 10;

/** Where a container's log goes on disk, and when it rotates. */
export interface LogFileOptions {
  /** Rotate before the file would pass this size in bytes; 0 never rotates. */
  maxBytes: number;
  /** Files kept, the one written included: PATH, PATH.1 ... PATH.(maxFiles-1). */
  maxFiles: number;
}

/**
 * A log file that takes blocks of whole lines and rotates by size between
 * lines: PATH is renamed PATH.1 (PATH.1 to PATH.2 ..., the oldest dropped) and
 * a new PATH is started, so no line is ever split or lost across a rotation.
 * Writes are synchronous: one write call per block (a batch of lines), on a
 * file the init alone appends to. Shared by the streams logged to the same
 * path, so that their lines interleave whole.
 */
export class LogFile {
  readonly path: string;
  readonly #options: LogFileOptions;
  #file: Deno.FsFile;
  #size: number;
  #users = 0;

  private constructor(path: string, options: LogFileOptions, file: Deno.FsFile, size: number) {
    this.path = path;
    this.#options = options;
    this.#file = file;
    this.#size = size;
  }

  /** Opens PATH for appending (created if missing). */
  static open(path: string, options: LogFileOptions): LogFile {
    const file = Deno.openSync(path, { append: true, create: true, write: true });
    return new LogFile(path, options, file, file.statSync().size);
  }

  /** Takes one more user; the file closes when the last one releases it. */
  acquire(): this {
    this.#users++;
    return this;
  }

  /** Gives back one use. */
  release(): void {
    if (--this.#users === 0) this.#file.close();
  }

  /** Writes `block` (whole lines, each ending with a newline). */
  write(block: Uint8Array): void {
    const max = this.#options.maxBytes;
    let rest = block;
    while (max > 0 && this.#size + rest.length > max) {
      // As many whole lines as still fit, else a fresh file; a line larger
      // than the limit goes alone into a fresh file.
      const room = max - this.#size;
      const cut = room > 0 ? rest.lastIndexOf(NEWLINE, room - 1) + 1 : 0;
      if (cut > 0) {
        this.#append(rest.subarray(0, cut));
        rest = rest.subarray(cut);
      } else if (this.#size > 0) {
        this.#rotate();
      } else {
        const end = rest.indexOf(NEWLINE) + 1 || rest.length;
        this.#append(rest.subarray(0, end));
        rest = rest.subarray(end);
      }
    }
    this.#append(rest);
  }

  #append(bytes: Uint8Array): void {
    writeAllSync(this.#file, bytes);
    this.#size += bytes.length;
  }

  #rotate(): void {
    this.#file.close();
    const keep = this.#options.maxFiles;
    const name = (n: number) => n === 0 ? this.path : `${this.path}.${n}`;
    if (keep <= 1) {
      Deno.removeSync(this.path);
    } else {
      for (let n = keep - 2; n >= 0; n--) {
        try {
          Deno.renameSync(name(n), name(n + 1));
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
      }
    }
    this.#file = Deno.openSync(this.path, { append: true, create: true, write: true });
    this.#size = 0;
  }
}

/** The lines of `block` as JSON lines `{"time","stream","log"}` (CRI-like, newline-free log). */
export function jsonLines(
  block: Uint8Array,
  stream: "stdout" | "stderr",
  time: string,
  decoder: TextDecoder,
  partial = false,
): Uint8Array {
  let text = "";
  const head = `{"time":"${time}","stream":"${stream}",`;
  const tail = partial ? ',"partial":true}\n' : "}\n";
  forEachLine(block, (start, end) => {
    text += `${head}"log":${JSON.stringify(decoder.decode(block.subarray(start, end)))}${tail}`;
  });
  return new TextEncoder().encode(text);
}
