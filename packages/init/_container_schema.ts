// The schema of one container of the pod file (split from config_schema.ts,
// which composes the whole document from it).
import * as v from "valibot";
import { CONTAINER_SPEC_ENTRIES, POD_SHARE_SCHEMA } from "@weft/bundle";
import { integer, strictObject, uniqueArray } from "@weft/bundle/schema-kit";
import { CONTAINER_ID_PATTERN, CONTAINER_ID_RULE, validateContainerId } from "@weft/runtime";
import {
  DEFAULT_BACKOFF,
  DEFAULT_START_LIMIT,
  DEFAULT_STOP_GRACE,
  MAX_DURATION,
} from "./config_defaults.ts";

function isContainerId(id: string): boolean {
  try {
    validateContainerId(id);
    return true;
  } catch {
    return false;
  }
}

export const containerId = v.pipe(
  v.string(),
  v.check(isContainerId, CONTAINER_ID_RULE),
  v.metadata({ pattern: CONTAINER_ID_PATTERN }),
);

export function milliseconds(
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

export const nonEmpty = v.pipe(v.string(), v.minLength(1, "a non-empty string"));

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

export const CONTAINER_SCHEMA = v.pipe(
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
