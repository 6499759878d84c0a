import type { ContainerSummary, RuntimeVersion } from "./capabilities.ts";
import { isContainerStatus, livePid } from "./runtime.ts";

/**
 * Parses the output of `<runtime> --version`: a first line
 * `<name> version X`, then `key: value` lines (crun, runc and youki alike).
 * Returns `undefined` when the first line has another shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVersionOutput } from "@weft/runtime";
 *
 * const version = parseVersionOutput("crun version 1.8.1\ncommit: f8a096b\nspec: 1.0.0\n");
 * assert.ok(version?.version === "1.8.1" && version.spec === "1.0.0");
 * ```
 */
export function parseVersionOutput(text: string): RuntimeVersion | undefined {
  const lines = text.split("\n").map((line) => line.trim());
  // youki prints "youki version: X" (crates/youki/src/commands/info.rs).
  const first = /^(\S+) version:? (\S+)/.exec(lines[0] ?? "");
  if (!first) return undefined;
  const result: RuntimeVersion = { name: first[1], version: first[2], text };
  for (const line of lines.slice(1)) {
    const field = /^(commit|spec): *(.+)$/.exec(line);
    if (field) result[field[1] as "commit" | "spec"] = field[2];
  }
  return result;
}

/**
 * Parses the output of `list --format json`: runc prints `null` for no
 * containers, crun an empty pretty array; entries need `id` and `status`.
 * Returns `undefined` when the output is not such a list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListOutput } from "@weft/runtime";
 *
 * assert.ok(parseListOutput("null")?.length === 0);
 * const [web] = parseListOutput('[{"id":"web","pid":42,"status":"running"}]') ?? [];
 * assert.equal(web.pid, 42);
 * ```
 */
export function parseListOutput(text: string): ContainerSummary[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) return undefined;
  const out: ContainerSummary[] = [];
  for (const entry of parsed) {
    if (typeof entry !== "object" || entry === null) return undefined;
    const raw = entry as Record<string, unknown>;
    const status = raw.status;
    if (typeof raw.id !== "string" || !isContainerStatus(status)) return undefined;
    const pid = typeof raw.pid === "number" ? livePid(status, raw.pid) : 0;
    const summary: ContainerSummary = { id: raw.id, status, pid, raw };
    if (typeof raw.bundle === "string") summary.bundle = raw.bundle;
    if (typeof raw.created === "string") summary.created = raw.created;
    out.push(summary);
  }
  return out;
}
