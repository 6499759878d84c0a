import { readJsonFile } from "./_fields.ts";
import { ContainerSpecError } from "./errors.ts";

/**
 * The part of an OCI image config (the JSON an image puller writes, e.g.
 * `blobs/sha256/<config digest>`) that shapes the process. Fields the image
 * leaves empty are absent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ImageConfig, mergeImageConfig } from "@weft/bundle";
 *
 * const image: ImageConfig = { cmd: ["nginx", "-g", "daemon off;"], workingDir: "/usr/share/nginx" };
 * assert.ok(mergeImageConfig({}, image).cwd === "/usr/share/nginx");
 * ```
 */
export interface ImageConfig {
  /** `config.Entrypoint`. */
  entrypoint?: string[];
  /** `config.Cmd`. */
  cmd?: string[];
  /** `config.Env`, `NAME=value` entries. */
  env?: string[];
  /** `config.WorkingDir`, absolute. */
  workingDir?: string;
  /** `config.User`, as the image wrote it (`name`, `uid:gid`...). */
  user?: string;
}

/**
 * Options of {@linkcode readImageConfig}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerSpecError, readImageConfig, type ReadImageConfigOptions } from "@weft/bundle";
 *
 * const options: ReadImageConfigOptions = { field: "containers[0].imageConfig" };
 * try {
 *   await readImageConfig("/nonexistent/config.json", options);
 * } catch (error) {
 *   assert.ok(error instanceof ContainerSpecError && error.field === options.field);
 * }
 * ```
 */
export interface ReadImageConfigOptions {
  /** The field path named in errors. @default {"imageConfig"} */
  field?: string;
}

/**
 * Reads an OCI image config file and returns the fields that shape the
 * process. Unknown fields (history, rootfs diff ids...) are ignored; a field
 * of the wrong type is refused.
 *
 * @throws {ContainerSpecError} naming the field when the file cannot be read,
 * is not JSON, or holds a field of the wrong type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readImageConfig } from "@weft/bundle";
 *
 * const file = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(file, JSON.stringify({
 *   architecture: "amd64",
 *   os: "linux",
 *   config: { Entrypoint: ["/docker-entrypoint.sh"], Cmd: ["nginx"], WorkingDir: "/srv" },
 * }));
 * const image = await readImageConfig(file);
 * assert.ok(image.cmd?.[0] === "nginx" && image.workingDir === "/srv");
 * await Deno.remove(file);
 * ```
 */
export async function readImageConfig(
  path: string,
  options: ReadImageConfigOptions = {},
): Promise<ImageConfig> {
  const field = options.field ?? "imageConfig";
  const fail = (expected: string, cause?: unknown): never => {
    throw new ContainerSpecError({ field, expected, value: path, cause });
  };
  const raw = await readJsonFile(path, field, "OCI image config");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return fail("an OCI image config: a JSON object");
  }
  const config = (raw as Record<string, unknown>).config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    return fail('an OCI image config whose "config" is an object');
  }
  const fields = config as Record<string, unknown>;
  const image: ImageConfig = {};
  const stringList = (key: string): string[] | undefined => {
    const value = fields[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      return fail(`an OCI image config whose config.${key} is an array of strings`);
    }
    return [...value];
  };
  const optionalString = (key: string): string | undefined => {
    const value = fields[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") {
      return fail(`an OCI image config whose config.${key} is a string`);
    }
    return value;
  };
  const entrypoint = stringList("Entrypoint");
  const cmd = stringList("Cmd");
  const env = stringList("Env");
  if (env?.some((entry) => !entry.includes("=") || entry.startsWith("="))) {
    fail('an OCI image config whose config.Env entries are "NAME=value"');
  }
  const workingDir = optionalString("WorkingDir");
  if (workingDir !== undefined && !workingDir.startsWith("/")) {
    fail("an OCI image config whose config.WorkingDir is an absolute path");
  }
  const user = optionalString("User");
  if (entrypoint !== undefined) image.entrypoint = entrypoint;
  if (cmd !== undefined) image.cmd = cmd;
  if (env !== undefined) image.env = env;
  if (workingDir !== undefined) image.workingDir = workingDir;
  if (user !== undefined) image.user = user;
  return image;
}
