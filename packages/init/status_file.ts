import { getLogger } from "@logtape/logtape";
import { parentDir } from "@weft/runtime";
import { mark } from "./_profile.ts";

const logger = getLogger(["weft", "init", "status"]);

/**
 * Writes a JSON document to `path` so that a reader never sees a partial
 * file: each version goes to a temporary file in the same directory, which
 * is then renamed over `path`. Writes are serialized and coalesced: while one
 * is in progress only the latest pending document is kept.
 *
 * @example
 * ```ts
 * import { StatusFile } from "@weft/init";
 *
 * const dir = await Deno.makeTempDir();
 * const status = new StatusFile(`${dir}/status.json`);
 * status.write({ pod: { state: "running" } });
 * await status.flush();
 * console.assert(JSON.parse(await Deno.readTextFile(`${dir}/status.json`)).pod.state === "running");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class StatusFile {
  /** The file written. */
  readonly path: string;
  #pending: unknown = undefined;
  #hasPending = false;
  #running: Promise<void> = Promise.resolve();
  #active = false;
  #dirReady = false;

  /** Creates the writer; nothing is written until {@linkcode StatusFile.write}. */
  constructor(path: string) {
    this.path = path;
  }

  /** Schedules `document` to be written (replacing any version not yet written). */
  write(document: unknown): void {
    this.#pending = document;
    this.#hasPending = true;
    if (!this.#active) {
      this.#active = true;
      this.#running = this.#drain();
    }
  }

  /** Resolves once every scheduled document is on disk. */
  async flush(): Promise<void> {
    await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#hasPending) {
        const document = this.#pending;
        this.#hasPending = false;
        await this.#writeNow(document);
      }
    } finally {
      this.#active = false;
    }
  }

  async #writeNow(document: unknown): Promise<void> {
    const dir = parentDir(this.path);
    const temp = `${this.path}.${Deno.pid}.tmp`;
    try {
      if (!this.#dirReady) {
        await Deno.mkdir(dir, { recursive: true });
        this.#dirReady = true;
      }
      await Deno.writeTextFile(temp, `${JSON.stringify(document, null, 2)}\n`);
      await Deno.rename(temp, this.path);
      mark("status-written");
    } catch (error) {
      // The host loses a status update, the pod keeps running: say it loudly.
      logger.error("Cannot write the status file {path}: {error}", { path: this.path, error });
      await Deno.remove(temp).catch(() => {});
    }
  }
}
