import type { LogStore } from "./log_store.ts";

/**
 * Options of {@linkcode ControlServer}.
 *
 * @example
 * ```ts
 * import type { ControlServerOptions } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const options: ControlServerOptions = { version: "0.1.0", maxStreams: 8, journal: 500 };
 * assert.ok(options.maxStreams);
 * ```
 */
export interface ControlServerOptions {
  /** The version `health` reports. @default {"unknown"} */
  version?: string;
  /** Where container output lines are kept (fed by the init). @default {a new LogStore} */
  logs?: LogStore;
  /** Events kept for replay from a cursor. @default {10000} */
  journal?: number;
  /** The largest request body, in bytes. @default {65536} */
  maxBodyBytes?: number;
  /** Streams open at once (event and log follows, execs); more get 429. @default {64} */
  maxStreams?: number;
}

/**
 * The largest request body by default, in bytes.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_BODY_BYTES } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_BODY_BYTES, 65_536);
 * ```
 */
export const DEFAULT_MAX_BODY_BYTES = 65_536;
/**
 * Streams (follows and execs) open at once by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_STREAMS } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_MAX_STREAMS, 64);
 * ```
 */
export const DEFAULT_MAX_STREAMS = 64;
/**
 * Events kept for replay by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_JOURNAL_SIZE } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_JOURNAL_SIZE, 10_000);
 * ```
 */
export const DEFAULT_JOURNAL_SIZE = 10_000;
