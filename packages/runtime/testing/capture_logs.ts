import { configure, type LogLevel, type LogRecord, reset } from "@logtape/logtape";

/**
 * The log records {@linkcode captureLogs} keeps; disposing it resets logtape's configuration.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getLogger } from "@logtape/logtape";
 * import { type CapturedLogs, captureLogs } from "@weft/runtime/testing";
 *
 * await using logs: CapturedLogs = await captureLogs(["my-plugin"], "info");
 * getLogger(["my-plugin"]).debug("not kept: below info");
 * getLogger(["my-plugin"]).info("kept");
 * assert.deepEqual(logs.records.map((record) => record.level), ["info"]);
 * ```
 */
export interface CapturedLogs extends AsyncDisposable {
  /** Every record of the category so far, oldest first. */
  readonly records: LogRecord[];
}

/**
 * Keeps the log records of `category` (and the categories below it) in
 * memory, for a test to assert on: what a plugin or weft logs is part of its
 * behaviour. Replaces logtape's configuration until disposed (then reset).
 *
 * @param category The logger category, e.g. `["weft", "runtime"]`.
 * @param lowestLevel The lowest level kept (default `"debug"`).
 * @returns The records, filled as they come.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getLogger } from "@logtape/logtape";
 * import { captureLogs } from "@weft/runtime/testing";
 *
 * {
 *   await using logs = await captureLogs(["my-plugin"]);
 *   getLogger(["my-plugin", "calls"]).warn("slow call");
 *   assert.equal(logs.records[0].level, "warning");
 * }
 * ```
 */
export async function captureLogs(
  category: readonly string[],
  lowestLevel: LogLevel = "debug",
): Promise<CapturedLogs> {
  const records: LogRecord[] = [];
  await configure({
    reset: true,
    sinks: { buffer: (record) => records.push(record) },
    loggers: [
      { category: [...category], sinks: ["buffer"], lowestLevel },
      // logtape's own notice about the configuration is not the test's business.
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "error" },
    ],
  });
  return { records, [Symbol.asyncDispose]: () => reset() };
}
