import type { OciRuntimeOptions } from "./plugin_options.ts";
import type { CallOptions } from "./runtime.ts";
import type { Stdio } from "./stdio.ts";

/**
 * The default timeout of one runtime call, in milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_CALL_TIMEOUT } from "@weft/runtime";
 *
 * assert.equal(DEFAULT_CALL_TIMEOUT, 30_000);
 * ```
 */
export const DEFAULT_CALL_TIMEOUT = 30_000;

/**
 * The longest timeout of one runtime call, in milliseconds: 2^31 - 1, the
 * longest delay a timer holds (a longer one fires after 1 ms).
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { MAX_CALL_TIMEOUT } from "@weft/runtime";
 *
 * strictEqual(MAX_CALL_TIMEOUT, 2_147_483_647);
 * ```
 */
export const MAX_CALL_TIMEOUT = 2 ** 31 - 1;

/**
 * Options of {@linkcode OciCli}: the global options of a runc-compatible CLI.
 *
 * @example
 * ```ts no-assert
 * import type { OciCliOptions } from "@weft/runtime";
 *
 * const options: OciCliOptions = { name: "crun", root: "/run/weft/crun", timeout: 10_000 };
 * ```
 */
export interface OciCliOptions extends Pick<OciRuntimeOptions, "debug" | "env" | "timeout"> {
  /** The runtime's name, used in messages (for example `"runc"`). */
  name: string;
  /** The binary: a path, or a name searched in PATH. @default {options.name} */
  binary?: string;
  /** State root (`--root`); omitted means the binary's own default. */
  root?: string;
  /**
   * Ask for a JSON log in a per-call file (`--log F --log-format json`) and
   * take error messages from it; turn off for CLIs without these flags.
   * @default {true}
   */
  jsonLog?: boolean;
  /**
   * Leave out `--log` so that the runtime writes its JSON log to its own
   * stderr, read for that call alone: no log file to create and remove on
   * every call. `create` qualifies too, because what the runtime writes on
   * stderr while it runs is held back from the container's stream (see
   * `gateStderr`); calls whose stderr is inherited, not held back (`exec`) or
   * released to the container (`run`)
   * still get a log file, so that the container's stderr never carries the
   * runtime's messages. Only for runtimes whose log goes to stderr by
   * default (runc and crun do).
   * @default {false}
   */
  logOnStderr?: boolean;
  /**
   * Directory for the per-call log files, created if missing. A tmpfs keeps
   * their creation cheap.
   * @default {Deno.env.get("TMPDIR") ?? "/tmp"}
   */
  logDir?: string;
  /** Extra global arguments, placed before the subcommand. @default {[]} */
  globalArgs?: readonly string[];
  /**
   * Milliseconds between SIGTERM and SIGKILL when a call is stopped.
   * @default {1000}
   */
  killGrace?: number;
}

/**
 * Options of {@linkcode OciCli.run}.
 *
 * @example
 * ```ts no-assert
 * import type { OciCliRunOptions } from "@weft/runtime";
 *
 * const options: OciCliRunOptions = { stdio: { stdout: "inherit" }, timeout: 5_000 };
 * ```
 */
export interface OciCliRunOptions extends CallOptions {
  /**
   * The container's stdio, for commands whose fds the container inherits
   * (`create`, `run`, `exec`). When given, the call resolves as soon as the
   * runtime exits and never waits for the pipes to close.
   */
  stdio?: Stdio;
  /**
   * With `stdio`: hold back what arrives on stderr while the runtime runs.
   * `true`: it is the runtime's own text, dropped on success (right for
   * `create`, where the container's entrypoint cannot run yet).
   * `"release"`: on success it goes on to the container's stream, since the
   * entrypoint may have written it (`run --detach`); on failure it is the
   * runtime's message. `false`: it flows at once, for calls whose process
   * runs while the runtime does (`exec`). Only with `true` may the runtime
   * log on stderr (`logOnStderr`).
   * @default {true}
   */
  gateStderr?: boolean | "release";
  /**
   * Without `stdio`: read the runtime's stdout. Calls that print nothing
   * useful send it to /dev/null instead, which spares a pipe per call.
   * @default {true}
   */
  captureStdout?: boolean;
}

/**
 * What one runtime call gave.
 *
 * @example
 * ```ts no-assert
 * import type { OciCliResult } from "@weft/runtime";
 *
 * const result: OciCliResult = {
 *   argv: ["runc", "state", "web"],
 *   code: 0,
 *   success: true,
 *   stdout: "{}",
 *   stderr: "",
 *   message: "",
 * };
 * ```
 */
export interface OciCliResult {
  /** The full command line, binary first. */
  argv: string[];
  /** The exit code (128+signal when the runtime was killed by a signal). */
  code: number;
  /** True when the exit code is 0. */
  success: boolean;
  /** Standard output (empty for calls with container stdio). */
  stdout: string;
  /** Standard error (for calls with container stdio: only what the runtime wrote before it exited). */
  stderr: string;
  /**
   * The runtime's own message: the last error of its JSON log (read only when
   * the call failed), else stderr, else stdout.
   */
  message: string;
}
