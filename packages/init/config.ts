import * as v from "valibot";
import { type ContainerSpec, POD_NAMESPACES } from "@weft/bundle";
import { fromValibot } from "./_issues.ts";
import { duplicateKeys, nonJsonValues, readDocumentText } from "./_json_document.ts";
import { POD_SCHEMA } from "./config_schema.ts";
import { semanticIssues, specFields } from "./_config_rules.ts";
import type { ConfigIssue, ContainerConfig, PodConfig } from "./config_types.ts";

// The types of a parsed pod live in their own module; importers of this one keep finding them here.
export type * from "./config_types.ts";

/**
 * A configuration file that cannot be used: unreadable, not JSON, or not
 * valid. `issues` lists every problem with its JSON path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, parseConfig } from "@weft/init";
 *
 * try {
 *   parseConfig({ containers: [{ id: "web", bundle: "/b", restart: { policy: "sometimes" } }] });
 * } catch (error) {
 *   assert.ok(error instanceof ConfigError);
 *   assert.equal((error as ConfigError).issues[0].path, "containers[0].restart.policy");
 * }
 * ```
 */
export class ConfigError extends Error {
  /** Every problem found, each with its JSON path. */
  readonly issues: readonly ConfigIssue[];
  /** The file, when the configuration came from one. */
  readonly file?: string;
  /** Creates the error. */
  constructor(message: string, options: ErrorOptions & { issues?: ConfigIssue[]; file?: string }) {
    super(message, options);
    this.name = "ConfigError";
    this.issues = options.issues ?? [];
    this.file = options.file;
  }

  /**
   * The error for `issues`, its message listing each with its path (at most
   * 1,000 characters: the issues past that are counted, not listed).
   *
   * @example
   * ```ts
   * import { strictEqual } from "node:assert/strict";
   * import { ConfigError } from "@weft/init";
   *
   * const error = ConfigError.fromIssues([{ path: "pod.stopGrace", message: "expected at most 2147483647, got 3000000000" }]);
   * strictEqual(error.message, "Invalid pod configuration: pod.stopGrace: expected at most 2147483647, got 3000000000");
   * ```
   */
  static fromIssues(issues: ConfigIssue[], file?: string): ConfigError {
    const where = file === undefined
      ? "Invalid pod configuration"
      : `Invalid pod configuration ${quote(file)}`;
    return new ConfigError(ConfigError.describeIssues(where, issues), { issues, file });
  }

  /**
   * The message of `issues` after `where`: one line when short, else one
   * issue per line, each line and the whole bounded (the rest counted).
   *
   * @param where What is invalid, e.g. `Invalid pod configuration "pod.json"`.
   * @param issues Its issues.
   * @returns The message.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { ConfigError } from "@weft/init";
   *
   * const issues = [{ path: "weft.ip", message: "expected an IPv4 prefix" }];
   * assert.equal(ConfigError.describeIssues("Invalid x", issues), "Invalid x: weft.ip: expected an IPv4 prefix");
   * ```
   */
  static describeIssues(where: string, issues: ConfigIssue[]): string {
    // Each line is bounded too (a cycle of long ids, a long path), so the first always shows.
    const lines = issues.map((issue) => {
      const line = `${issue.path || "(root)"}: ${issue.message}`;
      return line.length > LINE_LIMIT ? `${line.slice(0, LINE_LIMIT)}...` : line;
    });
    if (lines.length === 1 && where.length + lines[0].length < MESSAGE_LIMIT - 2) {
      return `${where}: ${lines[0]}`;
    }
    let message = `${where}:`;
    for (const [i, line] of lines.entries()) {
      const next = `${message}\n  ${line}`;
      if (next.length + 30 > MESSAGE_LIMIT) {
        message += `\n  ... and ${lines.length - i} more`;
        break;
      }
      message = next;
    }
    return message;
  }
}

/** The longest ConfigError message: the issues past it are counted, not listed. */
const MESSAGE_LIMIT = 1000;
/** The longest line of one issue in a ConfigError message. */
const LINE_LIMIT = 500;

/**
 * Options of {@linkcode parseConfig}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig, type ParseConfigOptions } from "@weft/init";
 *
 * const options: ParseConfigOptions = { baseDir: "/etc/weft", file: "/etc/weft/pod.json" };
 * const config = parseConfig({ containers: [{ id: "web", bundle: "bundles/web" }] }, options);
 * assert.equal(config.containers[0].bundle, "/etc/weft/bundles/web");
 * ```
 */
export interface ParseConfigOptions {
  /** Directory relative paths (bundles, log files, status file) are resolved against. @default {Deno.cwd()} */
  baseDir?: string;
  /** Named in messages. @default {undefined} */
  file?: string;
}

function absolute(path: string, baseDir: string): string {
  if (path.startsWith("/")) return path;
  return `${baseDir.replace(/\/+$/, "")}/${path}`.replace(/\/\.\//g, "/");
}

/** A file name as quoted in messages: bounded, like every value. */
function quote(file: string): string {
  return file.length > 200 ? `"${file.slice(0, 200)}..."` : `"${file}"`;
}

/** The document as the schema leaves it: defaults filled in, the spec fields still flat. */
type PodDocument = v.InferOutput<typeof POD_SCHEMA>;

/**
 * Validates a configuration document (any JavaScript value: only what JSON
 * can hold is accepted) and fills in every default. Relative paths are
 * resolved against `options.baseDir`. Only shapes and references are checked
 * here; the filesystem, the runtime and its plugin's options are checked by
 * {@linkcode preflight} before anything runs.
 *
 * @throws {ConfigError} listing the problems with their JSON paths (and
 * nothing else, whatever `document` is).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "bundles/web" }] }, {
 *   baseDir: "/etc/weft",
 * });
 * strictEqual(config.containers[0].bundle, "/etc/weft/bundles/web");
 * strictEqual(config.containers[0].restart.backoff.initial, 100);
 * ```
 */
export function parseConfig(document: unknown, options: ParseConfigOptions = {}): PodConfig {
  const notJson = nonJsonValues(document);
  if (notJson.length > 0) throw ConfigError.fromIssues(notJson, options.file);
  const result = v.safeParse(POD_SCHEMA, document, { abortPipeEarly: true });
  if (!result.success) {
    throw ConfigError.fromIssues(fromValibot(POD_SCHEMA, result.issues), options.file);
  }
  const parsed: PodDocument = result.output;
  const config = parsed as unknown as PodConfig & { $schema?: string };
  // Any key is data here, "constructor" included (valibot's record drops it);
  // the plugin's declared options decide which are known.
  const given = (document as { runtime?: { options?: object } }).runtime?.options;
  if (given !== undefined) config.runtime.options = Object.fromEntries(Object.entries(given));
  const ids = new Set(config.containers.map((container) => container.id));
  for (const container of config.containers) {
    // The container whose namespaces are joined must run first.
    const partner = container.shareNamespacesWith;
    if (partner !== undefined && partner !== container.id && ids.has(partner)) {
      if (!container.dependsOn.includes(partner)) container.dependsOn.push(partner);
    }
  }
  const specs = new Map<ContainerConfig, ContainerSpec>();
  const semantic = semanticIssues(config, specs);
  if (semantic.length > 0) throw ConfigError.fromIssues(semantic, options.file);
  const baseDir = options.baseDir ?? Deno.cwd();
  delete config.$schema;
  for (const container of config.containers) {
    if (container.bundle !== undefined) container.bundle = absolute(container.bundle, baseDir);
    const fields = specFields(container);
    if (fields.rootfs !== undefined) {
      for (const field of Object.keys(fields)) {
        delete (container as unknown as Record<string, unknown>)[field];
      }
      container.spec = specs.get(container);
      if (container.shareNamespacesWith !== undefined) {
        container.shareNamespaces ??= [...POD_NAMESPACES];
      }
    }
    if (typeof container.stdio === "object") {
      const stdio = container.stdio;
      stdio.file = absolute(stdio.file, baseDir);
      if (stdio.stderrFile !== undefined) stdio.stderrFile = absolute(stdio.stderrFile, baseDir);
    }
  }
  config.statusFile = absolute(config.statusFile, baseDir);
  if (config.control) config.control.socket = absolute(config.control.socket, baseDir);
  if (config.runtime.root !== undefined) {
    config.runtime.root = absolute(config.runtime.root, baseDir);
  }
  return config;
}

/**
 * Reads, parses and validates a pod configuration file. Relative paths in it
 * are resolved against the file's directory. Only a regular file of at most
 * {@linkcode MAX_CONFIG_BYTES} of UTF-8 JSON (no byte order mark, no key
 * given twice in an object) is read.
 *
 * @throws {ConfigError} when the file cannot be read, is not JSON, or is not valid.
 *
 * @example
 * ```ts ignore
 * import { loadConfig } from "@weft/init";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * console.log(config.containers.map((c) => c.id));
 * ```
 */
export async function loadConfig(file: string): Promise<PodConfig> {
  let text: string;
  try {
    text = await readDocumentText(file);
  } catch (error) {
    throw new ConfigError(
      `Cannot read pod configuration ${quote(file)}: ${(error as Error).message}`,
      {
        file,
        cause: error,
      },
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `Cannot parse pod configuration ${quote(file)}: ${(error as Error).message.slice(0, 300)}`,
      { file, cause: error },
    );
  }
  const duplicates = duplicateKeys(text);
  if (duplicates.length > 0) throw ConfigError.fromIssues(duplicates, file);
  const path = file.startsWith("/") ? file : `${Deno.cwd()}/${file}`;
  return parseConfig(document, { file, baseDir: path.slice(0, path.lastIndexOf("/")) || "/" });
}
