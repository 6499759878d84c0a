import * as v from "valibot";
import { jsonSchemaOf } from "@weft/bundle";
import { NOT_ARRAY, strictObject, uniqueArray } from "@weft/bundle/schema-kit";
import { listRuntimePlugins } from "@weft/runtime";

import { CONTAINER_SCHEMA, containerId, milliseconds, nonEmpty } from "./_container_schema.ts";
import { CONTROL_SCHEMA } from "./control_schema.ts";
import {
  DEFAULT_POD_STOP_GRACE,
  DEFAULT_RUNTIME_CALL_TIMEOUT,
  DEFAULT_STATUS_FILE,
} from "./config_defaults.ts";
import { MACHINE_SCHEMA } from "./machine_schema.ts";

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
    containers: v.pipe(v.array(CONTAINER_SCHEMA), v.minLength(1), v.description("The containers.")),
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
