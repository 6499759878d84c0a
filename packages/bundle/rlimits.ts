import { fail, integer, join, record } from "./_fields.ts";
import { ContainerSpecError } from "./errors.ts";
import type { OciRlimit } from "./oci_config.ts";

/**
 * A soft and a hard limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RlimitValue } from "@weft/bundle";
 *
 * const nofile: RlimitValue = { soft: 4096, hard: 8192 };
 * assert.ok(nofile.soft <= nofile.hard);
 * ```
 */
export interface RlimitValue {
  /** The limit the process gets (it may raise it up to `hard`). */
  soft: number;
  /** The ceiling (only CAP_SYS_RESOURCE raises it). */
  hard: number;
}

/**
 * Process resource limits by name (`nofile`, `nproc`, `core`... or
 * `RLIMIT_NOFILE`): a number sets both limits, `{soft, hard}` each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseContainerSpec, type RlimitsSpec } from "@weft/bundle";
 *
 * const rlimits: RlimitsSpec = { nofile: { soft: 4096, hard: 8192 }, core: 0 };
 * assert.deepEqual(parseContainerSpec({ rootfs: "/srv/web", rlimits }).rlimits?.core, { soft: 0, hard: 0 });
 * ```
 */
export type RlimitsSpec = Record<string, number | RlimitValue>;

/**
 * The resource limits a spec may set (setrlimit(2) names, lower case,
 * without `RLIMIT_`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RLIMIT_NAMES } from "@weft/bundle";
 *
 * assert.ok(RLIMIT_NAMES.includes("nofile") && RLIMIT_NAMES.length === 16);
 * ```
 */
export const RLIMIT_NAMES: readonly string[] = [
  "as",
  "core",
  "cpu",
  "data",
  "fsize",
  "locks",
  "memlock",
  "msgqueue",
  "nice",
  "nofile",
  "nproc",
  "rss",
  "rtprio",
  "rttime",
  "sigpending",
  "stack",
];

/**
 * The limits every generated container gets unless its spec sets them:
 * containerd's open-file limit (1024 soft, so that `select` users keep
 * working; 524288 hard). Where the caller lacks CAP_SYS_RESOURCE, the hard
 * limit is lowered to the caller's own, which a runtime cannot exceed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_RLIMITS } from "@weft/bundle";
 *
 * assert.deepEqual(DEFAULT_RLIMITS.nofile, { soft: 1024, hard: 524288 });
 * ```
 */
export const DEFAULT_RLIMITS: Readonly<Record<string, RlimitValue>> = {
  nofile: { soft: 1024, hard: 524288 },
};

/** Checks a spec's `rlimits` (names, integers, soft <= hard); keys come out short and lower case. */
export function parseRlimits(input: unknown, path: string): Record<string, RlimitValue> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return fail(path, 'limits by name, e.g. {"nofile": {"soft": 1024, "hard": 4096}}', input);
  }
  const raw = input as Record<string, unknown>;
  const limits: Record<string, RlimitValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = join(path, key);
    const name = key.replace(/^RLIMIT_/, "").toLowerCase();
    if (!RLIMIT_NAMES.includes(name) || (key !== name && key !== `RLIMIT_${name.toUpperCase()}`)) {
      fail(field, `a resource limit name: ${RLIMIT_NAMES.join(", ")} (or RLIMIT_NOFILE...)`, key);
    }
    if (limits[name] !== undefined) fail(field, `"${name}" given once`, key);
    if (typeof value === "number") {
      const both = integer(value, field, 0, Number.MAX_SAFE_INTEGER);
      limits[name] = { soft: both, hard: both };
      continue;
    }
    const pair = record(value, field, ["soft", "hard"]);
    const hard = integer(pair.hard, join(field, "hard"), 0, Number.MAX_SAFE_INTEGER);
    const soft = integer(pair.soft, join(field, "soft"), 0, Number.MAX_SAFE_INTEGER);
    if (soft > hard) fail(join(field, "soft"), `at most the hard limit ${hard}`, soft);
    limits[name] = { soft, hard };
  }
  return limits;
}

// The rows of /proc/self/limits, by setrlimit name.
const PROC_LIMITS: Record<string, string> = {
  as: "Max address space",
  core: "Max core file size",
  cpu: "Max cpu time",
  data: "Max data size",
  fsize: "Max file size",
  locks: "Max file locks",
  memlock: "Max locked memory",
  msgqueue: "Max msgqueue size",
  nice: "Max nice priority",
  nofile: "Max open files",
  nproc: "Max processes",
  rss: "Max resident set",
  rtprio: "Max realtime priority",
  rttime: "Max realtime timeout",
  sigpending: "Max pending signals",
  stack: "Max stack size",
};

/** This process's hard limits (Infinity for unlimited), and whether it may raise them. */
async function callerLimits(): Promise<{ hard: Record<string, number>; canRaise: boolean }> {
  const hard: Record<string, number> = {};
  const [limits, status] = await Promise.all([
    Deno.readTextFile("/proc/self/limits").catch(() => ""),
    Deno.readTextFile("/proc/self/status").catch(() => ""),
  ]);
  for (const [name, row] of Object.entries(PROC_LIMITS)) {
    const line = limits.split("\n").find((text) => text.startsWith(row));
    const value = line?.slice(row.length).trim().split(/\s+/)[1];
    hard[name] = value === undefined || value === "unlimited" ? Infinity : Number(value);
  }
  const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  // CAP_SYS_RESOURCE is capability 24; unknown means assume it is held.
  const canRaise = capEff === undefined || (BigInt(`0x${capEff}`) & (1n << 24n)) !== 0n;
  return { hard, canRaise };
}

/**
 * The OCI `process.rlimits` of a spec: {@linkcode DEFAULT_RLIMITS} with the
 * spec's limits over them. A hard limit above this process's own is refused
 * when it lacks CAP_SYS_RESOURCE (the runtime inherits both and could not
 * set it); a default is lowered to fit instead.
 *
 * @throws {ContainerSpecError} naming `<path>.<name>.hard`.
 */
export async function ociRlimits(
  limits: RlimitsSpec | undefined,
  path: string,
): Promise<OciRlimit[]> {
  const caller = await callerLimits();
  const merged = new Map<string, RlimitValue>();
  for (const [name, value] of Object.entries(DEFAULT_RLIMITS)) {
    const ceiling = caller.canRaise ? Infinity : caller.hard[name];
    const hard = Math.min(value.hard, ceiling);
    merged.set(name, { soft: Math.min(value.soft, hard), hard });
  }
  for (const [name, given] of Object.entries(limits ?? {})) {
    // parseContainerSpec has made every entry a pair.
    const value = typeof given === "number" ? { soft: given, hard: given } : given;
    if (!caller.canRaise && value.hard > caller.hard[name]) {
      throw new ContainerSpecError({
        field: join(join(path, name), "hard"),
        expected: `at most ${caller.hard[name]}, this process's hard limit (raising it needs ` +
          "CAP_SYS_RESOURCE, which this process lacks)",
        value: value.hard,
      });
    }
    merged.set(name, value);
  }
  return [...merged].map(([name, { soft, hard }]) => ({
    type: `RLIMIT_${name.toUpperCase()}`,
    soft,
    hard,
  }));
}
