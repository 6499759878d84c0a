import {
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_JOURNAL_SIZE,
  DEFAULT_LOG_LINES,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_LINE_LENGTH,
  DEFAULT_MAX_STREAMS,
} from "@weft/control";
import { CONTAINER_ID_PATTERN, CONTAINER_ID_RULE } from "@weft/runtime";
import { type SchemaNode, toJsonSchema } from "./_schema_node.ts";

/**
 * The default path of the pod configuration file.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONFIG_PATH } from "@weft/init";
 *
 * console.assert(DEFAULT_CONFIG_PATH === "/etc/weft/pod.json");
 * ```
 */
export const DEFAULT_CONFIG_PATH = "/etc/weft/pod.json";

/**
 * Restart defaults, chosen for a micro-VM: the pod is usually alone on a
 * small machine that booted a second ago, so a crash is most often a
 * dependency that is not ready yet. Retrying fast (100 ms, doubling) brings
 * it up without the 10 s floor of kubelet; a 10 s cap keeps a broken
 * container from burning the VM's CPU; a minute of stable running forgives
 * past crashes; and after 10 unstable starts in a row the container is marked
 * failed so that the host sees it in the status file instead of an endless
 * loop.
 *
 * @example
 * ```ts
 * import { DEFAULT_BACKOFF, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * console.assert(config.containers[0].restart.backoff.cap === DEFAULT_BACKOFF.cap);
 * ```
 */
export const DEFAULT_BACKOFF = {
  initial: 100,
  factor: 2,
  cap: 10_000,
  resetAfter: 60_000,
} as const;

/**
 * Unstable starts in a row after which a container is marked failed.
 *
 * @example
 * ```ts
 * import { DEFAULT_START_LIMIT, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * console.assert(config.containers[0].restart.startLimit === DEFAULT_START_LIMIT);
 * ```
 */
export const DEFAULT_START_LIMIT = 10;
/**
 * Milliseconds between a container's stop signal and KILL.
 *
 * @example
 * ```ts
 * import { DEFAULT_STOP_GRACE, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * console.assert(config.containers[0].stop.grace === DEFAULT_STOP_GRACE);
 * ```
 */
export const DEFAULT_STOP_GRACE = 10_000;
/**
 * Milliseconds the whole pod may take to stop before everything left is killed.
 *
 * @example
 * ```ts
 * import { DEFAULT_POD_STOP_GRACE, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * console.assert(config.pod.stopGrace === DEFAULT_POD_STOP_GRACE);
 * ```
 */
export const DEFAULT_POD_STOP_GRACE = 30_000;
/**
 * Milliseconds each runtime call may take.
 *
 * @example
 * ```ts
 * import { DEFAULT_RUNTIME_CALL_TIMEOUT, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * console.assert(config.runtime.callTimeout === DEFAULT_RUNTIME_CALL_TIMEOUT);
 * ```
 */
export const DEFAULT_RUNTIME_CALL_TIMEOUT = 30_000;
/**
 * Where the status file is written unless the configuration says otherwise.
 *
 * @example
 * ```ts
 * import { DEFAULT_STATUS_FILE, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * console.assert(config.statusFile === DEFAULT_STATUS_FILE);
 * ```
 */
export const DEFAULT_STATUS_FILE = "/run/weft/status.json";

const containerId: SchemaNode = {
  kind: "string",
  pattern: CONTAINER_ID_PATTERN,
  patternHint: CONTAINER_ID_RULE,
  description: "A container id (runc's charset).",
};

const milliseconds = (description: string, defaultValue: number, minimum = 0): SchemaNode => ({
  kind: "integer",
  minimum,
  description: `${description} In milliseconds.`,
  default: defaultValue,
});

const exitCodes = (description: string): SchemaNode => ({
  kind: "array",
  items: { kind: "integer", minimum: 0, maximum: 255 },
  uniqueItems: true,
  description,
  default: [],
});

const signal = (description: string, defaultValue: string): SchemaNode => ({
  kind: "union",
  variants: [
    { kind: "string", minLength: 1 },
    { kind: "integer", minimum: 1, maximum: 64 },
  ],
  description,
  default: defaultValue,
});

const backoff: SchemaNode = {
  kind: "object",
  description:
    "Delay before each restart: initial, then times factor per unstable run, at most cap.",
  properties: {
    initial: milliseconds("Delay before the first restart.", DEFAULT_BACKOFF.initial),
    factor: {
      kind: "number",
      minimum: 1,
      description: "Each further delay is the previous one times this.",
      default: DEFAULT_BACKOFF.factor,
    },
    cap: milliseconds("The longest delay.", DEFAULT_BACKOFF.cap),
    resetAfter: milliseconds(
      "A run at least this long is stable: the delay and the start count start over.",
      DEFAULT_BACKOFF.resetAfter,
    ),
  },
  default: { ...DEFAULT_BACKOFF },
};

const restart: SchemaNode = {
  kind: "object",
  description: "When the container is started again after it exits.",
  properties: {
    policy: {
      kind: "string",
      enum: ["never", "on-failure", "always"],
      description:
        "never: not restarted; on-failure: restarted when its status is not 0; always: restarted whatever the status.",
      default: "on-failure",
    },
    neverRestartExitCodes: exitCodes(
      "Exit statuses (0-255, 128+n for death by signal n) that are never restarted, whatever the policy.",
    ),
    alwaysRestartExitCodes: exitCodes(
      "Exit statuses that are always restarted, whatever the policy.",
    ),
    backoff,
    startLimit: {
      kind: "integer",
      minimum: 0,
      description:
        "Starts in a row that end (or fail) before backoff.resetAfter, after which the container is marked failed; 0 means no limit.",
      default: DEFAULT_START_LIMIT,
    },
  },
  default: {
    policy: "on-failure",
    neverRestartExitCodes: [],
    alwaysRestartExitCodes: [],
    backoff: { ...DEFAULT_BACKOFF },
    startLimit: DEFAULT_START_LIMIT,
  },
};

const stop: SchemaNode = {
  kind: "object",
  description: "How the container is stopped when the pod stops.",
  properties: {
    signal: signal("Sent to the container's init first.", "TERM"),
    grace: milliseconds("Time between the stop signal and KILL.", DEFAULT_STOP_GRACE),
  },
  default: { signal: "TERM", grace: DEFAULT_STOP_GRACE },
};

const stdio: SchemaNode = {
  kind: "union",
  description:
    'Where the container\'s output goes: "console" (the init\'s stdout/stderr, each line prefixed "[id] "), {"file": PATH} (appended), or "none" (/dev/null). Its stdin is /dev/null.',
  variants: [
    { kind: "string", enum: ["console", "none"] },
    {
      kind: "object",
      properties: { file: { kind: "string", minLength: 1, description: "The file appended to." } },
      required: ["file"],
    },
  ],
  default: "console",
};

// The container spec fields of @weft/bundle (its parseContainerSpec checks
// them, naming the same JSON paths); `pod` is replaced by shareNamespacesWith.
const specFields: Record<string, SchemaNode> = {
  process: {
    kind: "any",
    description:
      'With rootfs: {"args", "entrypoint", "env", "cwd", "user"} (user: "uid:gid" or a name in the rootfs\'s /etc/passwd).',
  },
  hostname: { kind: "any", description: "With rootfs: the hostname (default: the container id)." },
  mounts: {
    kind: "any",
    description:
      'With rootfs: extra mounts, {"type": "bind", "source", "destination", "readonly"} or {"type": "tmpfs", "destination", "size", "mode"}.',
  },
  resources: {
    kind: "any",
    description:
      'With rootfs: cgroup limits {"memoryLimit", "cpuShares", "cpuQuota", "cpuPeriod", "pidsLimit"}.',
  },
  readonlyRootfs: { kind: "any", description: "With rootfs: mount the root filesystem read-only." },
  imageConfig: {
    kind: "any",
    description:
      "With rootfs: an OCI image config JSON (absolute path) whose Entrypoint, Cmd, Env, WorkingDir, User fill what process leaves out.",
  },
  privileged: {
    kind: "any",
    description:
      "With rootfs: all capabilities, no masked paths (explicit: it gives the container the host).",
  },
};

const container: SchemaNode = {
  kind: "object",
  description: "One container of the pod.",
  properties: {
    id: containerId,
    bundle: {
      kind: "string",
      minLength: 1,
      description:
        "The OCI bundle directory (holds config.json), absolute or relative to the configuration file.",
    },
    rootfs: {
      kind: "string",
      minLength: 1,
      description:
        "Instead of bundle: the container's root filesystem (an absolute path); weft-init generates the bundle with @weft/bundle from this and the fields process, hostname, mounts, resources, readonlyRootfs, imageConfig, privileged.",
    },
    ...specFields,
    shareNamespacesWith: {
      ...containerId,
      description:
        "With rootfs: join the namespaces of this container of the pod (listed in shareNamespaces), as a Kubernetes pod's containers share those of its pause container. That container is started first.",
    },
    shareNamespaces: {
      kind: "array",
      items: { kind: "string", enum: ["network", "ipc", "uts"] },
      uniqueItems: true,
      description: 'The namespaces shareNamespacesWith joins; default ["network", "ipc", "uts"].',
    },
    restart,
    stop,
    stdio,
    dependsOn: {
      kind: "array",
      items: containerId,
      uniqueItems: true,
      description: "Containers that must be running before this one is created.",
      default: [],
    },
  },
  required: ["id"],
  exactlyOne: ["bundle", "rootfs"],
};

const exitCode: SchemaNode = {
  kind: "union",
  tag: "from",
  description: "How the pod's exit code is decided.",
  variants: [
    {
      kind: "object",
      description: "The last exit status of one container (125 if it never ran).",
      properties: {
        from: { kind: "const", value: "container" },
        id: containerId,
      },
      required: ["from", "id"],
    },
    {
      kind: "object",
      description:
        "The status of the first container that ended for good with a non-zero status or failed (125 if it never ran), else 0. Exits caused by the pod's own stop are not failures.",
      properties: { from: { kind: "const", value: "first-failure" } },
      required: ["from"],
    },
  ],
  default: { from: "first-failure" },
};

const endWhen: SchemaNode = {
  kind: "union",
  description:
    'When the pod ends (the rest is then stopped): "all-ended" (no container runs or will restart), "any-ended" (one container ended for good), or {"ended": [ids]} (one of these ended for good).',
  variants: [
    { kind: "string", enum: ["all-ended", "any-ended"] },
    {
      kind: "object",
      properties: {
        ended: { kind: "array", items: containerId, minItems: 1, uniqueItems: true },
      },
      required: ["ended"],
    },
  ],
  default: "all-ended",
};

const pod: SchemaNode = {
  kind: "object",
  description: "The pod as a whole.",
  properties: {
    stopGrace: milliseconds(
      "The longest the whole stop may take; when it is over, everything left gets KILL.",
      DEFAULT_POD_STOP_GRACE,
    ),
    exitCode,
    endWhen,
  },
  default: {
    stopGrace: DEFAULT_POD_STOP_GRACE,
    exitCode: { from: "first-failure" },
    endWhen: "all-ended",
  },
};

const runtime: SchemaNode = {
  kind: "object",
  description: "The OCI runtime that runs the containers.",
  properties: {
    name: {
      kind: "string",
      minLength: 1,
      description:
        'A registered runtime ("crun", "runc", a plugin\'s name) or "auto" (the first installed of crun, runc, youki).',
      default: "auto",
    },
    binary: {
      kind: "string",
      minLength: 1,
      description: "The runtime binary (default: its name in PATH).",
    },
    root: {
      kind: "string",
      minLength: 1,
      description: "The runtime's state root (default /run/weft/<runtime name>).",
    },
    callTimeout: milliseconds(
      "The longest one runtime call may take.",
      DEFAULT_RUNTIME_CALL_TIMEOUT,
      1,
    ),
    noPivot: {
      kind: "boolean",
      description: "Create containers without pivot_root (needed when / is an initramfs).",
      default: false,
    },
    options: {
      kind: "object",
      properties: {},
      additional: { kind: "any" },
      description: "Runtime-specific options handed to the plugin (for crun: cgroupManager...).",
      default: {},
    },
    plugins: {
      kind: "array",
      items: { kind: "string", minLength: 1 },
      description:
        "Runtime plugin modules imported before the runtime is selected: paths relative to the configuration file, absolute paths, or npm:/file:/https: specifiers.",
      default: [],
    },
  },
  default: {
    name: "auto",
    callTimeout: DEFAULT_RUNTIME_CALL_TIMEOUT,
    noPivot: false,
    options: {},
    plugins: [],
  },
};

const port: SchemaNode = { kind: "integer", minimum: 1, maximum: 65535 };

const control: SchemaNode = {
  kind: "object",
  description:
    "The control API (HTTP/1.1 + JSON, see @weft/control): on when this section is present. The Unix socket is always served; vsock and TCP only when named.",
  properties: {
    socket: {
      kind: "string",
      minLength: 1,
      description: "The Unix socket, mode 0600 (relative to the pod file's directory).",
      default: DEFAULT_CONTROL_SOCKET,
    },
    vsock: {
      kind: "object",
      description: "A vsock port for the micro-VM's host (needs deno run --unstable-vsock).",
      properties: {
        port,
        cid: { kind: "integer", minimum: -1, description: "-1: any (the default)." },
      },
      required: ["port"],
    },
    tcp: {
      kind: "object",
      description:
        "A TCP endpoint, for QEMU user networking (restrict=on, hostfwd to the host's 127.0.0.1). No authentication: only where the network is private to the host.",
      properties: { hostname: { kind: "string", minLength: 1 }, port },
      required: ["hostname", "port"],
    },
    logLines: {
      kind: "integer",
      minimum: 1,
      maximum: 1_000_000,
      description: "Lines kept per container.",
      default: DEFAULT_LOG_LINES,
    },
    maxLineLength: {
      kind: "integer",
      minimum: 1,
      maximum: 1_048_576,
      description: "Characters kept of one line.",
      default: DEFAULT_MAX_LINE_LENGTH,
    },
    journal: {
      kind: "integer",
      minimum: 1,
      maximum: 1_000_000,
      description: "Events kept for replay from a cursor.",
      default: DEFAULT_JOURNAL_SIZE,
    },
    maxBodyBytes: {
      kind: "integer",
      minimum: 1024,
      maximum: 16_777_216,
      description: "The largest request body.",
      default: DEFAULT_MAX_BODY_BYTES,
    },
    maxStreams: {
      kind: "integer",
      minimum: 1,
      maximum: 4096,
      description: "Event/log follows and execs open at once.",
      default: DEFAULT_MAX_STREAMS,
    },
  },
};

/** The description of the pod configuration file, from which validation and the JSON Schema derive. */
export const POD_CONFIG_SCHEMA: SchemaNode = {
  kind: "object",
  description:
    "A weft-init pod: the runtime, the containers, and how the pod starts, stops and ends.",
  properties: {
    $schema: {
      kind: "string",
      description: "The schema this file follows (for editors; ignored).",
    },
    runtime,
    containers: { kind: "array", items: container, minItems: 1, description: "The containers." },
    pod,
    control,
    statusFile: {
      kind: "string",
      minLength: 1,
      description: "Where the status JSON is written (replaced atomically on every change).",
      default: DEFAULT_STATUS_FILE,
    },
  },
  required: ["containers"],
};

/**
 * The JSON Schema of the pod configuration file, for editors and for
 * `weft-init schema`.
 *
 * @example
 * ```ts
 * import { podConfigJsonSchema } from "@weft/init";
 *
 * const schema = podConfigJsonSchema();
 * console.assert(schema.type === "object");
 * ```
 */
export function podConfigJsonSchema(): Record<string, unknown> {
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://weft.dev/schemas/pod.json",
    title: "weft-init pod configuration",
    ...toJsonSchema(POD_CONFIG_SCHEMA),
  };
}
