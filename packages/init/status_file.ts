import { getLogger } from "@logtape/logtape";
import { parentDir } from "@weft/runtime";
import { mark } from "./_profile.ts";

const logger = getLogger(["weft", "init", "status"]);

/**
 * Writes a JSON document to `path` so that a reader never sees a partial
 * file: each version goes to a temporary file in the same directory, which
 * is then renamed over `path`. Writes are serialized and coalesced: while one
 * is in progress only the latest pending document is kept, and a document
 * given by {@linkcode StatusFile.update} is built only when its write begins.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatusFile } from "@weft/init";
 *
 * const dir = await Deno.makeTempDir();
 * const status = new StatusFile(`${dir}/status.json`);
 * status.write({ pod: { state: "running" } });
 * await status.flush();
 * assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/status.json`)).pod.state, "running");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class StatusFile {
  /** The file written. */
  readonly path: string;
  #pending: () => unknown = () => undefined;
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
    this.update(() => document);
  }

  /**
   * Schedules a write of the document `build` returns (replacing any version
   * not yet written). `build` is called when the write begins, never before
   * the synchronous code running now has ended: a burst of changes costs one
   * build and one write, of the state after the burst. The last state is
   * always written.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { StatusFile } from "@weft/init";
   *
   * const dir = await Deno.makeTempDir();
   * const status = new StatusFile(`${dir}/status.json`);
   * let builds = 0;
   * let count = 0;
   * for (let i = 0; i < 10; i++) {
   *   count++;
   *   status.update(() => (builds++, { count }));
   * }
   * await status.flush();
   * assert.equal(builds, 1);
   * assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/status.json`)).count, 10);
   * await Deno.remove(dir, { recursive: true });
   * ```
   */
  update(build: () => unknown): void {
    this.#pending = build;
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
      // The changes of the current turn come first.
      await Promise.resolve();
      while (this.#hasPending) {
        const build = this.#pending;
        this.#hasPending = false;
        await this.#writeNow(build);
      }
    } finally {
      this.#active = false;
    }
  }

  async #writeNow(build: () => unknown): Promise<void> {
    const dir = parentDir(this.path);
    const temp = `${this.path}.${Deno.pid}.tmp`;
    try {
      const text = `${JSON.stringify(build(), null, 2)}\n`;
      if (!this.#dirReady) {
        await Deno.mkdir(dir, { recursive: true });
        this.#dirReady = true;
      }
      await Deno.writeTextFile(temp, text);
      await Deno.rename(temp, this.path);
      mark("status-written");
    } catch (error) {
      // The host loses a status update, the pod keeps running: say it loudly.
      logger.error("Cannot write the status file {path}: {error}", { path: this.path, error });
      await Deno.remove(temp).catch(() => {});
    }
  }
}
