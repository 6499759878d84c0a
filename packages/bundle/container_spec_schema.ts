import * as v from "valibot";
import { integer, NOT_ARRAY, strictObject, uniqueArray } from "./schema_kit.ts";
import type { ContainerSpec } from "./container_spec.ts";
import { POD_NAMESPACES } from "./parse_container_spec.ts";
import { RLIMIT_NAMES } from "./rlimits.ts";
import { SECCOMP_ACTIONS, SECCOMP_ARCHES, SECCOMP_FLAGS, SECCOMP_OPS } from "./_seccomp_enums.ts";
import { KNOWN_SYSCALLS } from "./_syscall_tables.ts";

// The schema of a ContainerSpec, from which its JSON Schema is derived
// (`@valibot/to-json-schema`). It says the same as parseContainerSpec, which
// stays the parser (its messages name the field paths); a test checks that
// the two agree on generated documents. Checks that JSON Schema cannot
// express are marked in SPEC_PARSER_ONLY_RULES.

// No NUL anywhere: the kernel would cut a path or an argument short there.
const NON_EMPTY = /^[^\0]+$/;
// Absolute, and no ".." component (nothing escapes its root).
const ABSOLUTE = /^\/(?!(?:.*\/)?\.\.(?:\/|$))[^\0]*$/;
// HOST_NAME_MAX on Linux; labels of letters, digits and "-" (RFC 1123).
const HOSTNAME =
  /^(?=.{1,64}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const USER = /^[^:\s\0]+(:[^:\s\0]+)?$/;
const ENV = /^[^=\s\0][^=\0]*=[^\0]*$/;
const MOUNT_OPTION = /^[^,\s\0]+$/;
const BYTES = /^\s*0*[1-9][0-9]*[kmgKMG]?[bB]?\s*$/;
const MODE = /^0?[0-7]{1,4}$/;

const nonEmpty = v.pipe(v.string(), v.regex(NON_EMPTY, "a non-empty string"));
const absolute = v.pipe(
  v.string(),
  v.regex(ABSOLUTE, 'an absolute path (starting with "/", without ".." components)'),
);
const bytes = v.union([
  integer(1, Number.MAX_SAFE_INTEGER),
  v.pipe(v.string(), v.regex(BYTES, 'a positive number of bytes, or "512k", "64m", "1g"')),
]);
const mountOptions = v.array(v.pipe(v.string(), v.regex(MOUNT_OPTION)));
// Absolute, below "/" (the rootfs is "/"), and no ".." component.
const DESTINATION = /^\/(?!(?:.*\/)?\.\.(?:\/|$))(?=[\s\S]*[^/])[^\0]*$/;
const destination = v.pipe(
  v.string(),
  v.regex(DESTINATION, 'an absolute path below "/", without ".." components'),
  v.description("Absolute path inside the container."),
);

/** `process` of a container spec. */
const PROCESS_SCHEMA = v.pipe(
  strictObject({
    args: v.optional(v.pipe(v.array(nonEmpty), v.minLength(1))),
    entrypoint: v.optional(v.array(nonEmpty)),
    env: v.optional(v.array(v.pipe(v.string(), v.regex(ENV, 'an entry "NAME=value"')))),
    cwd: v.optional(absolute),
    user: v.optional(v.pipe(v.string(), v.regex(USER, '"uid:gid", "uid", "name" or "name:group"'))),
  }),
  v.description(
    'The process: {"args", "entrypoint", "env", "cwd", "user"} (user: "uid:gid" or a name in the rootfs\'s /etc/passwd).',
  ),
);

const MOUNT_SCHEMA = v.pipe(
  NOT_ARRAY,
  v.variant("type", [
    v.strictObject({
      type: v.literal("bind"),
      source: v.pipe(absolute, v.description("Absolute path on the host; it must exist.")),
      destination,
      readonly: v.optional(v.boolean()),
      options: v.optional(mountOptions),
    }),
    v.strictObject({
      type: v.literal("tmpfs"),
      destination,
      size: v.optional(bytes),
      mode: v.optional(
        v.union([
          integer(0, 0o7777),
          v.pipe(v.string(), v.regex(MODE, 'octal digits like "1777"')),
        ]),
      ),
      readonly: v.optional(v.boolean()),
      options: v.optional(mountOptions),
    }),
  ]),
);

const RESOURCES_SCHEMA = v.pipe(
  strictObject({
    memoryLimit: v.optional(bytes),
    // The ranges are the kernel's (cpu.shares 2..262144; CFS period 1 ms..1 s; quota >= 1 ms).
    cpuShares: v.optional(integer(2, 262144)),
    cpuQuota: v.optional(integer(1000, Number.MAX_SAFE_INTEGER)),
    cpuPeriod: v.optional(integer(1000, 1_000_000)),
    pidsLimit: v.optional(integer(1, Number.MAX_SAFE_INTEGER)),
  }),
  v.description(
    'Cgroup limits {"memoryLimit", "cpuShares", "cpuQuota", "cpuPeriod", "pidsLimit"}.',
  ),
);

const uint32 = integer(0, 2 ** 32 - 1);
// JSON numbers above 2^53 lose precision on the way through JavaScript.
const uint53 = integer(0, Number.MAX_SAFE_INTEGER);
const SECCOMP_RULE_SCHEMA = strictObject({
  names: v.pipe(
    v.array(
      v.pipe(
        v.string(),
        v.check((name) => KNOWN_SYSCALLS.has(name), "the name of a Linux system call"),
        v.metadata({ enum: [...KNOWN_SYSCALLS] }),
      ),
    ),
    v.minLength(1),
  ),
  action: v.picklist(SECCOMP_ACTIONS),
  errnoRet: v.optional(uint32),
  args: v.optional(
    v.array(
      strictObject({
        index: integer(0, 5),
        value: uint53,
        valueTwo: v.optional(uint53),
        op: v.picklist(SECCOMP_OPS),
      }),
    ),
  ),
});
const SECCOMP_SCHEMA = v.pipe(
  v.union([
    v.picklist(["default", "unconfined"]),
    absolute,
    strictObject({
      defaultAction: v.picklist(SECCOMP_ACTIONS),
      defaultErrnoRet: v.optional(uint32),
      architectures: v.optional(v.array(v.picklist(SECCOMP_ARCHES))),
      flags: v.optional(v.array(v.picklist(SECCOMP_FLAGS))),
      listenerPath: v.optional(absolute),
      listenerMetadata: v.optional(nonEmpty),
      syscalls: v.optional(v.array(SECCOMP_RULE_SCHEMA)),
    }),
  ]),
  v.description(
    'The seccomp filter: "default" (the default; "unconfined" when privileged), "unconfined", the absolute path of an OCI linux.seccomp JSON profile, or such a profile inline.',
  ),
);

const limit = integer(0, Number.MAX_SAFE_INTEGER);
const rlimitValue = v.optional(
  v.union([limit, strictObject({ soft: limit, hard: limit })]),
);
// A limit by its short name or as RLIMIT_NAME (parseContainerSpec refuses both at once).
const RLIMITS_SCHEMA = v.pipe(
  strictObject(
    Object.fromEntries(
      RLIMIT_NAMES.flatMap((name) => [name, `RLIMIT_${name.toUpperCase()}`])
        .map((name) => [name, rlimitValue]),
    ),
  ),
  v.description(
    'Resource limits by name, e.g. {"nofile": {"soft": 4096, "hard": 8192}, "core": 0}; default nofile 1024 soft, 524288 hard.',
  ),
);

// Ids are 32-bit and (uid_t)-1 is "no id"; the kernel takes at most 340 ranges.
const idRanges = v.pipe(
  v.array(
    strictObject({
      containerId: integer(0, 2 ** 32 - 2),
      hostId: integer(0, 2 ** 32 - 2),
      size: integer(1, 2 ** 32 - 1),
    }),
  ),
  v.minLength(1),
  v.maxLength(340),
);
const USER_NAMESPACE_SCHEMA = v.pipe(
  strictObject({ uidMappings: idRanges, gidMappings: v.optional(idRanges) }),
  v.description(
    'A user namespace of its own: {"uidMappings": [{"containerId": 0, "hostId": 100000, "size": 65536}], "gidMappings": (default: the same)}.',
  ),
);

const podShare = uniqueArray(v.picklist(POD_NAMESPACES as ("network" | "ipc" | "uts")[]));
/**
 * The namespaces a pod member may share, each at most once: the valibot
 * schema of `pod.share` (and of the init's `shareNamespaces`). Typed
 * `unknown` because valibot's types are not part of this package's API.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { POD_SHARE_SCHEMA } from "@weft/bundle";
 * import * as v from "valibot";
import { integer, NOT_ARRAY, strictObject, uniqueArray } from "./schema_kit.ts";
 *
 * const share = POD_SHARE_SCHEMA as v.GenericSchema;
 * ok(v.is(share, ["network", "ipc"]));
 * ok(!v.is(share, ["network", "network"]));
 * ```
 */
export const POD_SHARE_SCHEMA: unknown = podShare;

/**
 * The fields of a container spec except `pod`, as valibot schemas: what a
 * configuration that embeds a container spec (the init's pod file) spreads
 * into its own object schema, so that both describe the fields once.
 *
 * @example
 * ```ts
 * import { deepStrictEqual } from "node:assert/strict";
 * import { CONTAINER_SPEC_ENTRIES } from "@weft/bundle";
 *
 * deepStrictEqual(Object.keys(CONTAINER_SPEC_ENTRIES), [
 *   "rootfs", "process", "hostname", "mounts", "resources", "readonlyRootfs", "imageConfig", "privileged",
 *   "seccomp", "rlimits", "userNamespace",
 * ]);
 * ```
 */
export const CONTAINER_SPEC_ENTRIES: Readonly<
  Record<Exclude<keyof ContainerSpec, "pod">, unknown>
> = {
  rootfs: v.pipe(
    absolute,
    v.description("Absolute path of the root filesystem, an existing directory."),
  ),
  process: v.optional(PROCESS_SCHEMA),
  hostname: v.optional(
    v.pipe(
      v.string(),
      v.regex(HOSTNAME, "a host name of letters, digits, '-' and '.' (at most 64)"),
      v.description("The hostname (default: the container id)."),
    ),
  ),
  mounts: v.optional(
    v.pipe(
      v.array(MOUNT_SCHEMA),
      v.description(
        'Extra mounts: {"type": "bind", "source", "destination", "readonly", "options"} or {"type": "tmpfs", "destination", "size", "mode", "readonly", "options"}.',
      ),
    ),
  ),
  resources: v.optional(RESOURCES_SCHEMA),
  readonlyRootfs: v.optional(
    v.pipe(v.boolean(), v.description("Mount the root filesystem read-only.")),
  ),
  imageConfig: v.optional(
    v.pipe(
      absolute,
      v.description(
        "An OCI image config JSON whose Entrypoint, Cmd, Env, WorkingDir, User fill what process leaves out.",
      ),
    ),
  ),
  privileged: v.optional(
    v.pipe(
      v.boolean(),
      v.description(
        "All capabilities, no masked paths, no seccomp filter (explicit: it gives the container the host).",
      ),
    ),
  ),
  seccomp: v.optional(SECCOMP_SCHEMA),
  rlimits: v.optional(RLIMITS_SCHEMA),
  userNamespace: v.optional(USER_NAMESPACE_SCHEMA),
};

/**
 * The schema of a {@linkcode ContainerSpec} as plain JSON (valibot; its JSON
 * Schema comes from `@valibot/to-json-schema`). It holds what JSON Schema can
 * say; {@linkcode SPEC_PARSER_ONLY_RULES} lists what only
 * `parseContainerSpec` checks. Its type is not derived from the schema
 * (published types must be written out), but the compiler checks the schema's
 * output against it.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { CONTAINER_SPEC_SCHEMA } from "@weft/bundle";
 * import * as v from "valibot";
import { integer, NOT_ARRAY, strictObject, uniqueArray } from "./schema_kit.ts";
 *
 * const schema = CONTAINER_SPEC_SCHEMA as v.GenericSchema;
 * ok(v.is(schema, { rootfs: "/srv/web", process: { args: ["httpd"] } }));
 * ok(!v.is(schema, { rootfs: "web" }));
 * ```
 */
export const CONTAINER_SPEC_SCHEMA: unknown = strictObject({
  ...(CONTAINER_SPEC_ENTRIES as Record<string, v.GenericSchema>),
  pod: v.optional(
    strictObject({ pid: integer(1, 2 ** 22), share: v.optional(podShare) }),
  ),
});

/**
 * What `parseContainerSpec` refuses beyond its JSON Schema: rules
 * across fields, and sizes whose unit multiplies past 2^53.
 *
 * @example
 * ```ts
 * import { ok } from "node:assert/strict";
 * import { SPEC_PARSER_ONLY_RULES } from "@weft/bundle";
 *
 * ok(SPEC_PARSER_ONLY_RULES.length > 0);
 * ```
 */
export const SPEC_PARSER_ONLY_RULES: readonly string[] = [
  'no hostname when the container joins its pod\'s UTS namespace (pod.share holds "uts")',
  "a size with a unit (mounts[].size, resources.memoryLimit) is at most 2^53 - 1 bytes",
  "rlimits: a soft limit is at most its hard limit, and a limit is named once (nofile or RLIMIT_NOFILE)",
  "userNamespace: ranges overlap on neither side, hold id 0 and end below 2^32 - 1; not with pod or privileged",
  "seccomp: SCMP_ACT_NOTIFY needs listenerPath",
];
