/**
 * Helpers for testing runtime plugins against real containers: busybox
 * bundles and a guard for binaries a test needs.
 *
 * @example
 * ```ts ignore
 * import { createBusyboxBundle } from "@weft/runtime/testing";
 *
 * await using bundle = await createBusyboxBundle({ args: ["true"] });
 * ```
 *
 * @module
 */
export * from "./busybox_bundle.ts";
export * from "./require_binary.ts";
export * from "./conformance.ts";
export * from "./replay_binary.ts";
export * from "./poll.ts";
export * from "./seeded_random.ts";
export * from "./capture_logs.ts";
