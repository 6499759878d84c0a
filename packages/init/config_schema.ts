import * as v from "valibot";
import { CONTAINER_SPEC_ENTRIES, jsonSchemaOf, POD_SHARE_SCHEMA } from "@weft/bundle";
import { integer, NOT_ARRAY, strictObject, uniqueArray } from "@weft/bundle/schema-kit";
import {
  CONTAINER_ID_PATTERN,
  CONTAINER_ID_RULE,
  listRuntimePlugins,
  validateContainerId,
} from "@weft/runtime";

import { CONTROL_SCHEMA } from "./control_schema.ts";
import {
  DEFAULT_BACKOFF,
  DEFAULT_POD_STOP_GRACE,
  DEFAULT_RUNTIME_CALL_TIMEOUT,
  DEFAULT_START_LIMIT,
  DEFAULT_STATUS_FILE,
  DEFAULT_STOP_GRACE,
  MAX_DURATION,
} from "./config_defaults.ts";
import { MACHINE_SCHEMA } from "./machine_schema.ts";

function isContainerId(id: string): boolean {
  try {
    validateContainerId(id);
    return true;
  } catch {
    return false;
  }
}

const containerId = v.pipe(
  v.string(),
  v.check(isContainerId, CONTAINER_ID_RULE),
  v.metadata({ pattern: CONTAINER_ID_PATTERN }),
);

function milliseconds(
  description: string,
  fallback: number,
  min = 0,
): v.OptionalSchema<v.GenericSchema<unknown, number>, number> {
  return v.optional(
    v.pipe(
      integer(min, MAX_DURATION),
      v.description(`${description} In milliseconds, at most ${MAX_DURATION}.`),
    ),
    fallback,
  );
}

const nonEmpty = v.pipe(v.string(), v.minLength(1, "a non-empty string"));

const exitCodes = (
  description: string,
): v.OptionalSchema<v.GenericSchema<unknown, number[]>, () => number[]> =>
  v.optional(v.pipe(uniqueArray(integer(0, 255)), v.description(description)), () => []);

const backoffEntries = {
  initial: milliseconds("Delay before the first restart.", DEFAULT_BACKOFF.initial),
  factor: v.optional(
    v.pipe(
      v.number(),
      v.minValue(1),
      v.maxValue(1000),
      v.description("Each further delay is the previous one times this (1 to 1000)."),
    ),
    DEFAULT_BACKOFF.factor,
  ),
  cap: milliseconds("The longest delay.", DEFAULT_BACKOFF.cap),
  resetAfter: milliseconds(
    "A run at least this long is stable: the delay and the start count start over.",
    DEFAULT_BACKOFF.resetAfter,
  ),
};

const restart = strictObject({
  policy: v.optional(
    v.pipe(
      v.picklist(["never", "on-failure", "always"]),
      v.description(
        "never: not restarted; on-failure: restarted when its status is not 0; always: restarted whatever the status.",
      ),
    ),
    "on-failure",
  ),
  neverRestartExitCodes: exitCodes(
    "Exit statuses (0-255, 128+n for death by signal n) that are never restarted, whatever the policy.",
  ),
  alwaysRestartExitCodes: exitCodes(
    "Exit statuses that are always restarted, whatever the policy.",
  ),
  backoff: v.optional(
    v.pipe(
      strictObject(backoffEntries),
      v.description(
        "Delay before each restart: initial, then times factor per unstable run, at most cap.",
      ),
    ),
    () => ({ ...DEFAULT_BACKOFF }),
  ),
  startLimit: v.optional(
    v.pipe(
      integer(0, 1_000_000),
      v.description(
        "Starts in a row that end (or fail) before backoff.resetAfter, after which the container is marked failed; 0 means no limit.",
      ),
    ),
    DEFAULT_START_LIMIT,
  ),
});

const stop = strictObject({
  signal: v.optional(
    v.pipe(
      v.union([nonEmpty, integer(1, 64)]),
      v.description('Sent to the container\'s init first: a name like "TERM", or a number.'),
    ),
    "TERM",
  ),
  grace: milliseconds("Time between the stop signal and KILL.", DEFAULT_STOP_GRACE),
});

const stdio = v.union([
  v.picklist(["console", "none"]),
  strictObject({
    file: v.pipe(
      nonEmpty,
      v.description("The file appended to, whole lines (stdout and stderr, unless stderrFile)."),
    ),
    stderrFile: v.optional(v.pipe(nonEmpty, v.description("Where stderr goes instead."))),
    format: v.optional(
      v.pipe(
        v.picklist(["text", "json"]),
        v.description(
          'text: the lines as written; json: one {"time","stream","log"} object per line (CRI-like). Default text.',
        ),
      ),
    ),
    maxBytes: v.optional(
      v.pipe(
        integer(0, Number.MAX_SAFE_INTEGER),
        v.description(
          "Rotate a file before it would pass this size in bytes (default 10485760); 0 never rotates.",
        ),
      ),
    ),
    maxFiles: v.optional(
      v.pipe(
        integer(1, 1000),
        v.description(
          "Files kept per path, the one written included: PATH, PATH.1 ... (default 5).",
        ),
      ),
    ),
  }),
]);

/** The fields only a container given by `rootfs` may have (its bundle is generated). */
export const ROOTFS_ONLY_FIELDS: readonly string[] = [
  ...Object.keys(CONTAINER_SPEC_ENTRIES).filter((field) => field !== "rootfs"),
  "shareNamespacesWith",
  "shareNamespaces",
];

// @weft/bundle types its valibot schemas as unknown (valibot's types are not part of its API).
const { rootfs: specRootfs, ...specEntries } = CONTAINER_SPEC_ENTRIES as Record<
  string,
  v.GenericSchema
>;
const podShare = POD_SHARE_SCHEMA as v.GenericSchema<unknown, ("network" | "ipc" | "uts")[]>;

const container = v.pipe(
  strictObject({
    id: containerId,
    bundle: v.optional(
      v.pipe(
        nonEmpty,
        v.description(
          "The OCI bundle directory (holds config.json), absolute or relative to the configuration file.",
        ),
      ),
    ),
    rootfs: v.optional(
      v.pipe(
        specRootfs,
        v.description(
          "Instead of bundle: the container's root filesystem (an absolute path); weft-init generates the bundle with @weft/bundle from it and the fields process, hostname, mounts, resources, readonlyRootfs, imageConfig, privileged, seccomp, rlimits, userNamespace.",
        ),
      ),
    ),
    ...specEntries,
    shareNamespacesWith: v.optional(
      v.pipe(
        containerId,
        v.description(
          "With rootfs: join the namespaces (shareNamespaces) of this container of the pod, which is started first.",
        ),
      ),
    ),
    shareNamespaces: v.optional(
      v.pipe(
        podShare,
        v.description(
          'The namespaces shareNamespacesWith joins; default ["network", "ipc", "uts"].',
        ),
      ),
    ),
    restart: v.optional(
      v.pipe(restart, v.description("When the container is started again after it exits.")),
      // Whole defaults, so that the JSON Schema shows them.
      () => ({
        policy: "on-failure" as const,
        neverRestartExitCodes: [],
        alwaysRestartExitCodes: [],
        backoff: { ...DEFAULT_BACKOFF },
        startLimit: DEFAULT_START_LIMIT,
      }),
    ),
    stop: v.optional(
      v.pipe(stop, v.description("How the container is stopped when the pod stops.")),
      () => ({ signal: "TERM", grace: DEFAULT_STOP_GRACE }),
    ),
    stdio: v.optional(
      v.pipe(
        stdio,
        v.description(
          'Where the container\'s output goes: "console" (the init\'s stdout/stderr, each line prefixed "[id] "), {"file": PATH, "stderrFile", "format", "maxBytes", "maxFiles"} (whole lines appended, rotated by size), or "none". Its stdin is /dev/null.',
        ),
      ),
      "console",
    ),
    dependsOn: v.optional(
      v.pipe(
        uniqueArray(containerId),
        v.description("Containers that must be running before this one is created."),
      ),
      () => [],
    ),
  }),
  v.description("One container of the pod: exactly one of bundle and rootfs."),
  // Rules across fields, for editors; config.ts checks them with the field's path.
  v.metadata({
    oneOf: [
      {
        required: ["bundle"],
        not: {
          anyOf: [
            { required: ["rootfs"] },
            ...ROOTFS_ONLY_FIELDS.map((field) => ({ required: [field] })),
          ],
        },
      },
      { required: ["rootfs"], not: { required: ["bundle"] } },
    ],
    dependentRequired: { shareNamespaces: ["shareNamespacesWith"] },
  }),
);

const exitCode = v.pipe(
  v.pipe(
    NOT_ARRAY,
    v.variant("from", [
      v.strictObject({ from: v.literal("container"), id: containerId }),
      v.strictObject({ from: v.literal("first-failure") }),
    ]),
  ),
  v.description(
    'How the pod\'s exit code is decided: {"from": "container", "id": ID}, the last status of that container (125 if it never ran), or {"from": "first-failure"}, the status of the first container that ended for good with a non-zero status or failed, else 0.',
  ),
);

const endWhen = v.pipe(
  v.union([
    v.picklist(["all-ended", "any-ended"]),
    strictObject({ ended: v.pipe(uniqueArray(containerId), v.minLength(1)) }),
  ]),
  v.description(
    'When the pod ends (the rest is then stopped): "all-ended", "any-ended", or {"ended": [ids]} (one of these ended for good).',
  ),
);

const pod = strictObject({
  stopGrace: milliseconds(
    "The longest the whole stop may take; when it is over, everything left gets KILL.",
    DEFAULT_POD_STOP_GRACE,
  ),
  exitCode: v.optional(exitCode, () => ({ from: "first-failure" as const })),
  endWhen: v.optional(endWhen, "all-ended"),
});

const runtime = strictObject({
  name: v.optional(
    v.pipe(
      nonEmpty,
      v.description(
        'A registered runtime ("crun", "runc", "youki", a plugin\'s name) or "auto" (the first installed of crun, runc, youki).',
      ),
    ),
    "auto",
  ),
  binary: v.optional(
    v.pipe(nonEmpty, v.description("The runtime binary (default: its name in PATH).")),
  ),
  root: v.optional(
    v.pipe(nonEmpty, v.description("The runtime's state root (default /run/weft/<runtime name>).")),
  ),
  callTimeout: milliseconds(
    "The longest one runtime call may take.",
    DEFAULT_RUNTIME_CALL_TIMEOUT,
    1,
  ),
  noPivot: v.optional(
    v.pipe(
      v.boolean(),
      v.description("Create containers without pivot_root (needed when / is an initramfs)."),
    ),
    false,
  ),
  options: v.optional(
    v.pipe(
      NOT_ARRAY,
      v.record(v.string(), v.unknown()),
      v.description(
        "Options of the runtime's plugin; each plugin declares them (optionsSchema), and unknown ones are errors.",
      ),
    ),
    () => ({}),
  ),
  plugins: v.optional(
    v.pipe(
      v.array(nonEmpty),
      v.description(
        "Runtime plugin modules imported before the runtime is selected: paths relative to the configuration file, absolute paths, or npm:/file:/https: specifiers.",
      ),
    ),
    () => [],
  ),
});

/** The pod file's schema: shapes and defaults. References between fields are config.ts's. */
export const POD_SCHEMA = v.pipe(
  strictObject({
    $schema: v.optional(
      v.pipe(v.string(), v.description("The schema this file follows (for editors; ignored).")),
    ),
    runtime: v.optional(
      v.pipe(runtime, v.description("The OCI runtime that runs the containers.")),
      () => ({
        name: "auto",
        callTimeout: DEFAULT_RUNTIME_CALL_TIMEOUT,
        noPivot: false,
        options: {},
        plugins: [],
      }),
    ),
    containers: v.pipe(v.array(container), v.minLength(1), v.description("The containers.")),
    pod: v.optional(v.pipe(pod, v.description("The pod as a whole.")), () => ({
      stopGrace: DEFAULT_POD_STOP_GRACE,
      exitCode: { from: "first-failure" as const },
      endWhen: "all-ended" as const,
    })),
    control: v.optional(
      v.pipe(
        CONTROL_SCHEMA,
        v.description(
          "The control API (HTTP/1.1 + JSON, see @weft/control): on when this section is present.",
        ),
      ),
    ),
    machine: v.optional(MACHINE_SCHEMA),
    statusFile: v.optional(
      v.pipe(
        nonEmpty,
        v.description("Where the status JSON is written (replaced atomically on every change)."),
      ),
      DEFAULT_STATUS_FILE,
    ),
  }),
  v.description(
    "A weft-init pod: the runtime, the containers, and how the pod starts, stops and ends.",
  ),
);

/**
 * The JSON Schema of the pod configuration file, for editors and for
 * `weft-init schema`, derived from the schema the parser validates with.
 * `runtime.options` follows the option schema each registered runtime plugin
 * declares (weft-init registers crun, runc and youki), chosen by
 * `runtime.name`; `"auto"` takes options any of them takes.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { podConfigJsonSchema } from "@weft/init";
 *
 * const schema = podConfigJsonSchema();
 * strictEqual(schema.type, "object");
 * ```
 */
export function podConfigJsonSchema(): Record<string, unknown> {
  const schema = jsonSchemaOf(POD_SCHEMA) as Record<string, unknown> & {
    properties: Record<string, Record<string, unknown>>;
  };
  const plugins = listRuntimePlugins().filter((plugin) => plugin.optionsSchema !== undefined);
  if (plugins.length > 0) {
    const named = (name: string) => ({ properties: { name: { const: name } }, required: ["name"] });
    schema.properties.runtime.allOf = [
      ...plugins.map((plugin) => ({
        if: named(plugin.name),
        then: { properties: { options: plugin.optionsSchema } },
      })),
      {
        if: { anyOf: [{ not: { required: ["name"] } }, named("auto")] },
        then: { properties: { options: { anyOf: plugins.map((p) => p.optionsSchema) } } },
      },
    ];
  }
  return {
    ...schema,
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://weft.dev/schemas/pod.json",
    title: "weft-init pod configuration",
  };
}
