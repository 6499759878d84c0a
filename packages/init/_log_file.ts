import { getLogger } from "@logtape/logtape";
import { writeAllSync } from "@weft/runtime";
import { forEachLine } from "./_line_framer.ts";

const NEWLINE = 10;
const logger = getLogger(["weft", "init", "stdio"]);

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
  /** The renames of a rotation are done, its new PATH not open yet: the held file is PATH.1. */
  #renamed = false;
  /** A rotation failed and was reported; cleared (and said) when one succeeds. */
  #failing = false;

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
        // A rotation that failed leaves the file as it is: the rest goes on into it.
        if (!this.#rotate()) break;
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

  /**
   * Starts a new PATH, and says whether it did. The file written is closed
   * only once its successor is open, so a failure (a rename refused, no new
   * file: no space, no inode, no permission) loses no line and throws
   * nothing: it is logged once, the lines go on into the file held, and the
   * next rotation point tries again (only the open, when the renames were
   * done: renaming again would shift the held file toward deletion).
   */
  #rotate(): boolean {
    const keep = this.#options.maxFiles;
    try {
      if (keep <= 1) {
        // One file kept: start it again in place (no open that could fail).
        this.#file.truncateSync(0);
      } else {
        if (!this.#renamed) {
          const name = (n: number) => n === 0 ? this.path : `${this.path}.${n}`;
          for (let n = keep - 2; n >= 0; n--) {
            try {
              Deno.renameSync(name(n), name(n + 1));
            } catch (error) {
              if (!(error instanceof Deno.errors.NotFound)) throw error;
            }
          }
          this.#renamed = true;
        }
        const next = Deno.openSync(this.path, { append: true, create: true, write: true });
        this.#file.close();
        this.#file = next;
        this.#renamed = false;
      }
    } catch (error) {
      if (!this.#failing) {
        this.#failing = true;
        logger.error(
          "Cannot rotate the log file {path}: {error}; its lines go on into {held} until a rotation succeeds",
          {
            path: this.path,
            held: this.#renamed ? `${this.path}.1` : this.path,
            error: (error as Error).message,
          },
        );
      }
      return false;
    }
    if (this.#failing) {
      this.#failing = false;
      logger.info("The log file {path} rotates again", { path: this.path });
    }
    this.#size = 0;
    return true;
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
