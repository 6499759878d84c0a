/**
 * How weft-init's single file is built and how Deno is told to run it: one
 * owner for the `deno bundle` and `deno run` options that `deno task bundle`,
 * `deno task compile`, weft-vm's images and the benchmarks all use.
 *
 * @module
 */

/**
 * The `deno bundle` options of weft-init's single file. `--platform browser`
 * only changes which build of `@logtape/logtape`'s helpers the bundle holds:
 * the portable one instead of the one that imports `node:util`, which makes
 * Deno load its Node compatibility layer (7 to 10 ms, measured here) before
 * the init's first line runs. Deno 2.9 loads that layer again at a process's
 * first `setTimeout` or `setInterval` (its timers are Node's), so a pod run
 * still pays it once, at the reaper's start; `--help`, `--version`, `validate`
 * and `schema` do not. Deno's own APIs are all there at run time; the init
 * formats its log values itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INIT_BUNDLE_OPTIONS } from "@weft/init/run-options";
 *
 * const args = ["bundle", ...INIT_BUNDLE_OPTIONS, "--output", "weft-init.js", "main.ts"];
 * assert.deepEqual(args.slice(1, 3), ["--platform", "browser"]);
 * ```
 */
export const INIT_BUNDLE_OPTIONS: readonly string[] = Object.freeze(["--platform", "browser"]);

/**
 * The V8 flags weft-init runs with, a trade of peak JavaScript speed for
 * memory, right for a PID 1 that is idle but for bursts of container starts:
 * - `--lite-mode`: no optimizing compilers, so their code in the Deno binary
 *   is never paged in and their threads never start;
 * - `--max-semi-space-size=1`: a young generation of 1 MiB, not up to 16.
 *
 * Measured here with 50 running containers (`tests/init_benchmark.ts`): the
 * resident set falls from 62-66 MiB to 55-57 MiB, and the time to start them
 * does not grow; the console sink's throughput halves (in process, about
 * 480 to 250 MB/s of 100-byte lines, `tests/stdio_benchmark.ts`), still far
 * above what containers log.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INIT_V8_FLAGS } from "@weft/init/run-options";
 *
 * assert.ok(INIT_V8_FLAGS.includes("--lite-mode"));
 * ```
 */
export const INIT_V8_FLAGS: readonly string[] = Object.freeze([
  "--lite-mode",
  "--max-semi-space-size=1",
]);

/**
 * The `deno run` options that go before weft-init's file: `-A` and the V8
 * flags of {@linkcode INIT_V8_FLAGS}. (Add `--unstable-vsock` when the pod
 * file has `control.vsock`.)
 *
 * @returns A new array, e.g. `["-A", "--v8-flags=--lite-mode,--max-semi-space-size=1"]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initRunOptions } from "@weft/init/run-options";
 *
 * const argv = ["deno", "run", ...initRunOptions(), "weft-init.js", "--config", "pod.json"];
 * assert.equal(argv[3], "--v8-flags=--lite-mode,--max-semi-space-size=1");
 * ```
 */
export function initRunOptions(): string[] {
  return ["-A", `--v8-flags=${INIT_V8_FLAGS.join(",")}`];
}
