import type { ProcessSpec } from "./container_spec.ts";
import { ContainerSpecError } from "./errors.ts";
import type { ImageConfig } from "./image_config.ts";

/**
 * The process once the spec and the image config are merged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type MergedProcess, mergeImageConfig } from "@weft/bundle";
 *
 * const merged: MergedProcess = mergeImageConfig({ args: ["sh"] }, { env: ["TERM=xterm"] });
 * assert.ok(merged.user === "0:0" && merged.env.includes("TERM=xterm"));
 * ```
 */
export interface MergedProcess {
  /** The full argv: entrypoint then command. */
  args: string[];
  /** `NAME=value` entries, PATH included. */
  env: string[];
  /** The absolute working directory. */
  cwd: string;
  /** The user as written (`uid:gid`, a name...), not yet resolved. */
  user: string;
}

/**
 * Options of {@linkcode mergeImageConfig}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerSpecError, mergeImageConfig, type MergeImageConfigOptions } from "@weft/bundle";
 *
 * const options: MergeImageConfigOptions = { path: "containers[3]" };
 * try {
 *   mergeImageConfig({}, {}, options);
 * } catch (error) {
 *   assert.ok(error instanceof ContainerSpecError && error.field === "containers[3].process.args");
 * }
 * ```
 */
export interface MergeImageConfigOptions {
  /** Prefix of the field path named in errors (`<path>.process.args`). @default {""} */
  path?: string;
}

/**
 * The PATH Docker gives a container whose image sets none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_PATH, mergeImageConfig } from "@weft/bundle";
 *
 * assert.ok(mergeImageConfig({ args: ["sh"] }).env.includes(DEFAULT_PATH));
 * ```
 */
export const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Merges a spec's process with an image config, with Docker's precedence:
 * - argv is entrypoint + command;
 * - `process.entrypoint` replaces the image's Entrypoint and drops its Cmd
 *   (as `docker run --entrypoint`); `[]` leaves no entrypoint;
 * - `process.args` replaces the image's Cmd (as `docker run IMAGE ARGS...`);
 * - `process.env` entries override the image's entries of the same name;
 *   PATH is added when neither sets it;
 * - `process.cwd` and `process.user` replace WorkingDir and User, which
 *   default to `/` and `0:0`.
 *
 * @throws {ContainerSpecError} on `process.args` when no command is left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mergeImageConfig } from "@weft/bundle";
 *
 * const image = { entrypoint: ["/entry.sh"], cmd: ["nginx", "-g", "daemon off;"] };
 * assert.ok(mergeImageConfig({}, image).args.join(" ") === "/entry.sh nginx -g daemon off;");
 * assert.ok(mergeImageConfig({ args: ["sh"] }, image).args.join(" ") === "/entry.sh sh");
 * assert.ok(mergeImageConfig({ entrypoint: ["top"] }, image).args.join(" ") === "top");
 * ```
 */
export function mergeImageConfig(
  process: ProcessSpec,
  image: ImageConfig = {},
  options: MergeImageConfigOptions = {},
): MergedProcess {
  const entrypoint = process.entrypoint ?? image.entrypoint ?? [];
  const command = process.args ?? (process.entrypoint !== undefined ? [] : image.cmd ?? []);
  const args = [...entrypoint, ...command];
  if (args.length === 0) {
    const field = options.path ? `${options.path}.process.args` : "process.args";
    throw new ContainerSpecError({
      field,
      expected:
        "a command: process.args, process.entrypoint, or an image config with Entrypoint or Cmd",
      value: process.args,
    });
  }
  const env = new Map<string, string>();
  for (const entry of [...(image.env ?? []), ...(process.env ?? [])]) {
    // An override keeps the image entry's place, as Docker's merge does.
    env.set(entry.slice(0, entry.indexOf("=")), entry);
  }
  if (!env.has("PATH")) env.set("PATH", DEFAULT_PATH);
  return {
    args,
    env: [...env.values()],
    cwd: process.cwd ?? image.workingDir ?? "/",
    user: process.user ?? image.user ?? "0:0",
  };
}
