import { markParsed } from "./_parsed_spec.ts";
import type {
  ContainerSpec,
  MountSpec,
  PodNamespace,
  PodSpec,
  ProcessSpec,
  ResourcesSpec,
} from "./container_spec.ts";
import {
  absolutePath,
  boolean,
  bytes,
  fail,
  integer,
  join,
  record,
  string,
  stringArray,
} from "./_fields.ts";
import { parseRlimits } from "./rlimits.ts";
import { parseSeccompProfile } from "./seccomp_user_profile.ts";
import { parseUserNamespace } from "./user_namespace.ts";

/**
 * Options of {@linkcode parseContainerSpec}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseContainerSpec, type ParseContainerSpecOptions } from "@weft/bundle";
 *
 * // The caller's own `id` sits beside the spec's fields in the same object.
 * const options: ParseContainerSpecOptions = { path: "containers[0]", extraFields: ["id"] };
 * const spec = parseContainerSpec({ id: "web", rootfs: "/srv/web" }, options);
 * assert.ok(spec.rootfs === "/srv/web" && !("id" in spec));
 * ```
 */
export interface ParseContainerSpecOptions {
  /**
   * Prefix of every field path in errors, e.g. `containers[2]` gives
   * `containers[2].process.user`.
   * @default {""}
   */
  path?: string;
  /**
   * Top-level fields the caller owns (e.g. the init's `id` or `restart` in the
   * same object): accepted and left out of the result. Any other unknown
   * field is refused, so that a typo is not silently ignored.
   * @default {[]}
   */
  extraFields?: readonly string[];
}

/**
 * The JSON field names of a {@linkcode ContainerSpec}. A configuration that
 * keeps a container's own settings in the same object (the init's `id`,
 * `restart`...) can tell the spec's fields from its own with this list.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CONTAINER_SPEC_FIELDS } from "@weft/bundle";
 *
 * const entry = { id: "web", restart: "always", rootfs: "/srv/web", process: { args: ["httpd"] } };
 * const own = Object.keys(entry).filter((key) => !CONTAINER_SPEC_FIELDS.includes(key));
 * assert.ok(own.join() === "id,restart");
 * ```
 */
export const CONTAINER_SPEC_FIELDS: readonly string[] = [
  "rootfs",
  "process",
  "hostname",
  "mounts",
  "resources",
  "readonlyRootfs",
  "imageConfig",
  "privileged",
  "pod",
  "seccomp",
  "rlimits",
  "userNamespace",
];
/**
 * The namespaces a pod member joins unless `pod.share` says otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { POD_NAMESPACES } from "@weft/bundle";
 *
 * assert.ok(POD_NAMESPACES.join() === "network,ipc,uts");
 * ```
 */
export const POD_NAMESPACES: readonly PodNamespace[] = ["network", "ipc", "uts"];
// HOST_NAME_MAX on Linux; labels of letters, digits and "-" (RFC 1123).
const HOSTNAME =
  /^(?=.{1,64}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const USER = /^[^:\s]+(:[^:\s]+)?$/;
const ENV = /^[^=\s][^=]*=/s;

/**
 * Checks the shape of a container spec (plain JSON, e.g. from the init's
 * configuration) and returns it typed, without touching the filesystem. The
 * first problem throws a {@linkcode ContainerSpecError} naming the field path
 * (`process.user`, `mounts[1].destination`, `resources.pidsLimit`) and what
 * was expected. {@linkcode generateConfig} runs this first, then the checks
 * that need the filesystem (rootfs exists, user names, image config).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerSpecError, parseContainerSpec } from "@weft/bundle";
 *
 * const spec = parseContainerSpec({ rootfs: "/srv/web", process: { args: ["httpd"] } });
 * assert.ok(spec.process?.args?.[0] === "httpd");
 *
 * try {
 *   parseContainerSpec({ rootfs: "web" }, { path: "containers[2]" });
 * } catch (error) {
 *   if (!(error instanceof ContainerSpecError)) throw error;
 *   assert.equal(error.field, "containers[2].rootfs");
 * }
 * ```
 */
export function parseContainerSpec(
  input: unknown,
  options: ParseContainerSpecOptions = {},
): ContainerSpec {
  const path = options.path ?? "";
  const raw = record(input, path, CONTAINER_SPEC_FIELDS, options.extraFields);
  const field = (key: string) => join(path, key);
  const spec: ContainerSpec = { rootfs: absolutePath(raw.rootfs, field("rootfs")) };
  if (raw.process !== undefined) spec.process = parseProcess(raw.process, field("process"));
  if (raw.hostname !== undefined) {
    const hostname = string(raw.hostname, field("hostname"));
    if (!HOSTNAME.test(hostname)) {
      fail(field("hostname"), "a host name of letters, digits, '-' and '.' (at most 64)", hostname);
    }
    spec.hostname = hostname;
  }
  if (raw.mounts !== undefined) {
    if (!Array.isArray(raw.mounts)) fail(field("mounts"), "an array of mounts", raw.mounts);
    spec.mounts = (raw.mounts as unknown[]).map((mount, index) =>
      parseMount(mount, join(field("mounts"), index))
    );
  }
  if (raw.resources !== undefined) {
    spec.resources = parseResources(raw.resources, field("resources"));
  }
  if (raw.readonlyRootfs !== undefined) {
    spec.readonlyRootfs = boolean(raw.readonlyRootfs, field("readonlyRootfs"));
  }
  if (raw.imageConfig !== undefined) {
    spec.imageConfig = absolutePath(raw.imageConfig, field("imageConfig"));
  }
  if (raw.privileged !== undefined) spec.privileged = boolean(raw.privileged, field("privileged"));
  if (raw.pod !== undefined) spec.pod = parsePod(raw.pod, field("pod"));
  if (raw.seccomp !== undefined) spec.seccomp = parseSeccomp(raw.seccomp, field("seccomp"));
  if (raw.rlimits !== undefined) spec.rlimits = parseRlimits(raw.rlimits, field("rlimits"));
  if (raw.userNamespace !== undefined) {
    spec.userNamespace = parseUserNamespace(raw.userNamespace, field("userNamespace"));
  }
  checkCombinations(spec, path);
  return markParsed(spec);
}

function parseSeccomp(input: unknown, field: string): ContainerSpec["seccomp"] {
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    return parseSeccompProfile(input, field);
  }
  if (input === "default" || input === "unconfined") return input;
  const expected = '"default", "unconfined", the absolute path of an OCI linux.seccomp JSON ' +
    "profile, or such a profile inline";
  if (typeof input !== "string" || !input.startsWith("/")) return fail(field, expected, input);
  return absolutePath(input, field);
}

function parseProcess(input: unknown, path: string): ProcessSpec {
  const raw = record(input, path, ["args", "entrypoint", "env", "cwd", "user"]);
  const process: ProcessSpec = {};
  if (raw.args !== undefined) {
    process.args = stringArray(raw.args, join(path, "args"));
    if (process.args.length === 0) {
      fail(
        join(path, "args"),
        "a non-empty array of strings (leave it out for the image's Cmd)",
        [],
      );
    }
  }
  if (raw.entrypoint !== undefined) {
    process.entrypoint = stringArray(raw.entrypoint, join(path, "entrypoint"));
  }
  if (raw.env !== undefined) {
    process.env = stringArray(raw.env, join(path, "env"), (entry, field) => {
      if (typeof entry !== "string" || !ENV.test(entry) || entry.includes("\0")) {
        fail(field, 'an entry "NAME=value"', entry);
      }
      return entry;
    });
  }
  if (raw.cwd !== undefined) process.cwd = absolutePath(raw.cwd, join(path, "cwd"));
  if (raw.user !== undefined) {
    const user = string(raw.user, join(path, "user"));
    if (!USER.test(user)) {
      fail(join(path, "user"), '"uid:gid", "uid", "name" or "name:group"', user);
    }
    process.user = user;
  }
  return process;
}

function mountOptions(input: unknown, field: string): string[] {
  return stringArray(input, field, (option, optionField) => {
    if (typeof option !== "string" || !/^[^,\s\0]+$/.test(option)) {
      fail(optionField, "a mount option without commas or spaces", option);
    }
    return option;
  });
}

function parseMount(input: unknown, path: string): MountSpec {
  const type = (input as { type?: unknown } | null)?.type;
  if (type !== "bind" && type !== "tmpfs") {
    record(input, path, ["type"], ["source", "destination", "readonly", "options", "size", "mode"]);
    return fail(join(path, "type"), '"bind" or "tmpfs"', type);
  }
  const keys = type === "bind"
    ? ["type", "source", "destination", "readonly", "options"]
    : ["type", "destination", "size", "mode", "readonly", "options"];
  const raw = record(input, path, keys);
  const destination = absolutePath(raw.destination, join(path, "destination"));
  if (destination.replace(/\/+$/, "") === "") {
    fail(join(path, "destination"), 'a path below "/" (the rootfs is "/")', destination);
  }
  const common = {
    destination,
    ...(raw.readonly !== undefined && { readonly: boolean(raw.readonly, join(path, "readonly")) }),
    ...(raw.options !== undefined && { options: mountOptions(raw.options, join(path, "options")) }),
  };
  if (type === "bind") {
    return { type, source: absolutePath(raw.source, join(path, "source")), ...common };
  }
  const mount: MountSpec = { type, ...common };
  if (raw.size !== undefined) mount.size = bytes(raw.size, join(path, "size"));
  if (raw.mode !== undefined) mount.mode = parseMode(raw.mode, join(path, "mode"));
  return mount;
}

function parseMode(value: unknown, field: string): string {
  const expected = 'permission bits from 0 to 0o7777, as a number or an octal string ("1777")';
  if (typeof value === "number") return integer(value, field, 0, 0o7777).toString(8);
  if (typeof value !== "string" || !/^0?[0-7]{1,4}$/.test(value)) {
    return fail(field, expected, value);
  }
  return value;
}

function parseResources(input: unknown, path: string): ResourcesSpec {
  const raw = record(input, path, [
    "memoryLimit",
    "cpuShares",
    "cpuQuota",
    "cpuPeriod",
    "pidsLimit",
  ]);
  const resources: ResourcesSpec = {};
  if (raw.memoryLimit !== undefined) {
    resources.memoryLimit = bytes(raw.memoryLimit, join(path, "memoryLimit"));
  }
  // The ranges are the kernel's (cpu.shares 2..262144; CFS period 1 ms..1 s; quota >= 1 ms).
  if (raw.cpuShares !== undefined) {
    resources.cpuShares = integer(raw.cpuShares, join(path, "cpuShares"), 2, 262144);
  }
  if (raw.cpuQuota !== undefined) {
    resources.cpuQuota = integer(
      raw.cpuQuota,
      join(path, "cpuQuota"),
      1000,
      Number.MAX_SAFE_INTEGER,
    );
  }
  if (raw.cpuPeriod !== undefined) {
    resources.cpuPeriod = integer(raw.cpuPeriod, join(path, "cpuPeriod"), 1000, 1_000_000);
  }
  if (raw.pidsLimit !== undefined) {
    resources.pidsLimit = integer(
      raw.pidsLimit,
      join(path, "pidsLimit"),
      1,
      Number.MAX_SAFE_INTEGER,
    );
  }
  return resources;
}

function parsePod(input: unknown, path: string): PodSpec {
  const raw = record(input, path, ["pid", "share"]);
  const pod: PodSpec = { pid: integer(raw.pid, join(path, "pid"), 1, 2 ** 22) };
  if (raw.share !== undefined) {
    const share = stringArray(raw.share, join(path, "share"), (item, field) => {
      if (!POD_NAMESPACES.includes(item as PodNamespace)) {
        fail(field, `one of ${POD_NAMESPACES.map((name) => `"${name}"`).join(", ")}`, item);
      }
      return item;
    }) as PodNamespace[];
    if (new Set(share).size !== share.length) {
      fail(join(path, "share"), "each namespace at most once", share);
    }
    pod.share = share;
  }
  return pod;
}

/**
 * A parsed spec that joins `pod`'s namespaces, known only when the container
 * is created (its partner's pid): the pod is checked, and so is what it
 * excludes (a user namespace, a hostname with a shared UTS namespace). The
 * spec itself is not checked again.
 *
 * @throws {ContainerSpecError} naming the field path and what was expected.
 *
 * @example
 * ```ts
 * import { strictEqual, throws } from "node:assert/strict";
 * import { parseContainerSpec, withPod } from "@weft/bundle";
 *
 * const spec = parseContainerSpec({ rootfs: "/srv/sidecar", hostname: "side" });
 * throws(() => withPod(spec, { pid: 4242 }), /hostname/); // the pod's UTS namespace is shared
 * strictEqual(withPod(spec, { pid: 4242, share: ["network"] }).pod?.pid, 4242);
 * ```
 */
export function withPod(spec: ContainerSpec, pod: unknown, path = ""): ContainerSpec {
  const joined = { ...spec, pod: parsePod(pod, join(path, "pod")) };
  checkCombinations(joined, path);
  return markParsed(joined);
}

/** The fields that exclude each other, with the path of the one refused. */
function checkCombinations(spec: ContainerSpec, path: string): void {
  if (spec.userNamespace !== undefined) {
    const clash = spec.pod !== undefined ? "pod" : spec.privileged ? "privileged" : undefined;
    if (clash !== undefined) {
      fail(
        join(path, "userNamespace"),
        `no user namespace with ${clash}: ${
          clash === "pod"
            ? "the pod's namespaces (shareNamespacesWith in weft-init) belong to the host's user namespace"
            : "a privileged container runs as the host's root"
        }`,
        spec.userNamespace,
      );
    }
  }
  if (
    spec.hostname !== undefined && spec.pod && (spec.pod.share ?? POD_NAMESPACES).includes("uts")
  ) {
    fail(
      join(path, "hostname"),
      'no hostname: the container joins its pod\'s UTS namespace (pod.share holds "uts")',
      spec.hostname,
    );
  }
}
