import {
  absolutePath,
  fail,
  integer,
  join,
  readJsonFile,
  record,
  string,
  stringArray,
} from "./_fields.ts";
import {
  SECCOMP_ACTIONS as ACTIONS,
  SECCOMP_ARCHES as ARCHES,
  SECCOMP_FLAGS as FLAGS,
  SECCOMP_OPS as OPS,
} from "./_seccomp_enums.ts";
import { KNOWN_SYSCALLS } from "./_syscall_tables.ts";
import { ContainerSpecError } from "./errors.ts";
import type { OciSeccomp, OciSeccompArg, OciSeccompSyscall } from "./oci_config.ts";

const UINT32 = 2 ** 32 - 1;

function oneOf(value: unknown, field: string, choices: readonly string[]): string {
  if (typeof value !== "string" || !choices.includes(value)) {
    fail(field, `one of ${choices.join(", ")}`, value);
  }
  return value as string;
}

// JSON numbers above 2^53 lose precision on the way through JavaScript.
function uint64(value: unknown, field: string): number {
  return integer(value, field, 0, Number.MAX_SAFE_INTEGER);
}

/**
 * Checks a user seccomp profile in OCI's `linux.seccomp` form (runtime-spec
 * v1.2.1): its fields and enums, argument indexes, and every system call
 * name against the tables of Linux (so a typo is refused, where runtimes
 * would skip an unknown name). Errors name the JSON path below `path`.
 *
 * @throws {ContainerSpecError} naming the field, e.g. `seccomp.syscalls[2].names[0]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerSpecError, parseSeccompProfile } from "@weft/bundle";
 *
 * const profile = parseSeccompProfile({
 *   defaultAction: "SCMP_ACT_ERRNO",
 *   syscalls: [{ names: ["read", "write", "exit_group"], action: "SCMP_ACT_ALLOW" }],
 * });
 * assert.equal(profile.syscalls?.[0].names.length, 3);
 * assert.throws(
 *   () => parseSeccompProfile({ defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["reed"], action: "SCMP_ACT_ALLOW" }] }, "seccomp"),
 *   (error) => error instanceof ContainerSpecError && error.field === "seccomp.syscalls[0].names[0]",
 * );
 * ```
 */
export function parseSeccompProfile(input: unknown, path = ""): OciSeccomp {
  const raw = record(input, path, [
    "defaultAction",
    "defaultErrnoRet",
    "architectures",
    "flags",
    "listenerPath",
    "listenerMetadata",
    "syscalls",
  ]);
  const profile: OciSeccomp = {
    defaultAction: oneOf(raw.defaultAction, join(path, "defaultAction"), ACTIONS),
  };
  if (raw.defaultErrnoRet !== undefined) {
    profile.defaultErrnoRet = integer(
      raw.defaultErrnoRet,
      join(path, "defaultErrnoRet"),
      0,
      UINT32,
    );
  }
  if (raw.architectures !== undefined) {
    profile.architectures = stringArray(
      raw.architectures,
      join(path, "architectures"),
      (arch, field) => oneOf(arch, field, ARCHES),
    );
  }
  if (raw.flags !== undefined) {
    profile.flags = stringArray(raw.flags, join(path, "flags"), (flag, f) => oneOf(flag, f, FLAGS));
  }
  if (raw.listenerPath !== undefined) {
    profile.listenerPath = absolutePath(raw.listenerPath, join(path, "listenerPath"));
  }
  if (raw.listenerMetadata !== undefined) {
    profile.listenerMetadata = string(raw.listenerMetadata, join(path, "listenerMetadata"));
  }
  if (raw.syscalls !== undefined) {
    const field = join(path, "syscalls");
    if (!Array.isArray(raw.syscalls)) fail(field, "an array of rules", raw.syscalls);
    profile.syscalls = (raw.syscalls as unknown[]).map((rule, index) =>
      parseRule(rule, join(field, index))
    );
  }
  const notifies = profile.defaultAction === "SCMP_ACT_NOTIFY" ||
    profile.syscalls?.some((rule) => rule.action === "SCMP_ACT_NOTIFY");
  if (notifies && profile.listenerPath === undefined) {
    fail(join(path, "listenerPath"), "the listener's socket path (SCMP_ACT_NOTIFY needs it)", raw);
  }
  return profile;
}

function parseRule(input: unknown, path: string): OciSeccompSyscall {
  const raw = record(input, path, ["names", "action", "errnoRet", "args"]);
  const names = stringArray(raw.names, join(path, "names"), (name, field) => {
    if (!KNOWN_SYSCALLS.has(name)) fail(field, "the name of a Linux system call", name);
    return name;
  });
  if (names.length === 0) fail(join(path, "names"), "at least one system call name", names);
  const rule: OciSeccompSyscall = {
    names,
    action: oneOf(raw.action, join(path, "action"), ACTIONS),
  };
  if (raw.errnoRet !== undefined) {
    rule.errnoRet = integer(raw.errnoRet, join(path, "errnoRet"), 0, UINT32);
  }
  if (raw.args !== undefined) {
    const field = join(path, "args");
    if (!Array.isArray(raw.args)) fail(field, "an array of argument conditions", raw.args);
    rule.args = (raw.args as unknown[]).map((arg, index) => parseArg(arg, join(field, index)));
  }
  return rule;
}

function parseArg(input: unknown, path: string): OciSeccompArg {
  const raw = record(input, path, ["index", "value", "valueTwo", "op"]);
  const arg: OciSeccompArg = {
    index: integer(raw.index, join(path, "index"), 0, 5),
    value: uint64(raw.value, join(path, "value")),
    op: oneOf(raw.op, join(path, "op"), OPS),
  };
  if (raw.valueTwo !== undefined) arg.valueTwo = uint64(raw.valueTwo, join(path, "valueTwo"));
  return arg;
}

/**
 * Reads and checks a user seccomp profile file ({@linkcode parseSeccompProfile}).
 * A problem is reported on `field` (the spec's `seccomp`), with the path
 * inside the file in `expected`.
 *
 * @throws {ContainerSpecError} when the file cannot be read, is not JSON, or
 * is not a valid profile.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSeccompProfile } from "@weft/bundle";
 *
 * const file = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(file, JSON.stringify({ defaultAction: "SCMP_ACT_LOG" }));
 * assert.equal((await readSeccompProfile(file, "seccomp")).defaultAction, "SCMP_ACT_LOG");
 * await Deno.remove(file);
 * ```
 */
export async function readSeccompProfile(file: string, field: string): Promise<OciSeccomp> {
  const raw = await readJsonFile(file, field, "OCI linux.seccomp profile");
  try {
    return parseSeccompProfile(raw);
  } catch (error) {
    if (!(error instanceof ContainerSpecError)) throw error;
    const inner = error.message.replace(/^Invalid /, "");
    const expected = `an OCI linux.seccomp profile, but its ${inner}`;
    throw new ContainerSpecError({ field, expected, value: file, cause: error });
  }
}
