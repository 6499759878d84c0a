import { MAX_DOCUMENT_BYTES } from "@weft/bundle";

/**
 * The default path of the pod configuration file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CONFIG_PATH } from "@weft/init";
 *
 * assert.equal(DEFAULT_CONFIG_PATH, "/etc/weft/pod.json");
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
 * import assert from "node:assert/strict";
 * import { DEFAULT_BACKOFF, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * assert.equal(config.containers[0].restart.backoff.cap, DEFAULT_BACKOFF.cap);
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
 * import assert from "node:assert/strict";
 * import { DEFAULT_START_LIMIT, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * assert.equal(config.containers[0].restart.startLimit, DEFAULT_START_LIMIT);
 * ```
 */
export const DEFAULT_START_LIMIT = 10;
/**
 * Milliseconds between a container's stop signal and KILL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STOP_GRACE, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * assert.equal(config.containers[0].stop.grace, DEFAULT_STOP_GRACE);
 * ```
 */
export const DEFAULT_STOP_GRACE = 10_000;
/**
 * Milliseconds the whole pod may take to stop before everything left is killed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_POD_STOP_GRACE, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * assert.equal(config.pod.stopGrace, DEFAULT_POD_STOP_GRACE);
 * ```
 */
export const DEFAULT_POD_STOP_GRACE = 30_000;
/**
 * Milliseconds each runtime call may take.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_RUNTIME_CALL_TIMEOUT, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * assert.equal(config.runtime.callTimeout, DEFAULT_RUNTIME_CALL_TIMEOUT);
 * ```
 */
export const DEFAULT_RUNTIME_CALL_TIMEOUT = 30_000;
/**
 * Where the status file is written unless the configuration says otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STATUS_FILE, parseConfig } from "@weft/init";
 *
 * const config = parseConfig({ containers: [{ id: "web", bundle: "/bundles/web" }] });
 * assert.equal(config.statusFile, DEFAULT_STATUS_FILE);
 * ```
 */
export const DEFAULT_STATUS_FILE = "/run/weft/status.json";

/**
 * The longest duration of the pod file, in milliseconds: 2^31 - 1 (about 24.8
 * days), the longest delay a timer holds (a longer one fires after 1 ms).
 *
 * @example
 * ```ts
 * import { throws } from "node:assert/strict";
 * import { MAX_DURATION, parseConfig } from "@weft/init";
 *
 * const stop = { grace: MAX_DURATION + 1 };
 * throws(() => parseConfig({ containers: [{ id: "web", bundle: "/b", stop }] }), /stop\.grace/);
 * ```
 */
export const MAX_DURATION = 2 ** 31 - 1;

/**
 * The largest pod file weft-init reads, in bytes (1 MiB, @weft/bundle's
 * `MAX_DOCUMENT_BYTES`, the bound of every JSON file it reads): a pod file
 * is a few KiB, and anything larger is a mistake that must not fill PID 1's memory.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { MAX_CONFIG_BYTES } from "@weft/init";
 *
 * strictEqual(MAX_CONFIG_BYTES, 1024 * 1024);
 * ```
 */
export const MAX_CONFIG_BYTES: number = MAX_DOCUMENT_BYTES;
