import { getLogger } from "@logtape/logtape";
import { lastJsonLogError } from "./_json_log.ts";
import { GatedPump } from "./_gated_pump.ts";
import { cleanSignalSpawnOptions } from "./_clean_signals.ts";
import { trackChildProcess } from "./child_registry.ts";
import { findBinary } from "./find_binary.ts";
import { processTree, signalTree } from "./_process_tree.ts";
import {
  InvalidArgumentError,
  RuntimeAbortError,
  RuntimeNotFoundError,
  RuntimeTimeoutError,
} from "./errors.ts";
import type { CallOptions } from "./runtime.ts";
import type { Stdio } from "./stdio.ts";

const logger = getLogger(["weft", "runtime", "cli"]);

/** Where `setsid` is, looked up once per process. */
let setsidLookup: Promise<string | undefined> | undefined;

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
export interface OciCliOptions {
  /** The runtime's name, used in messages (for example `"runc"`). */
  name: string;
  /** The binary: a path, or a name searched in PATH. @default {options.name} */
  binary?: string;
  /** State root (`--root`); omitted means the binary's own default. */
  root?: string;
  /** Pass `--debug`. @default {false} */
  debug?: boolean;
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
   * `gateStderr`); calls whose stderr is inherited or not held back (`exec`)
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
  /** Extra environment variables for the runtime process. @default {{}} */
  env?: Record<string, string>;
  /** Timeout of each call in milliseconds. @default {DEFAULT_CALL_TIMEOUT} */
  timeout?: number;
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
   * With `stdio`: hold back what arrives on stderr while the runtime runs,
   * as the runtime's own text (right for `create`, where the container's
   * entrypoint cannot run yet). Turn off for calls whose process runs while
   * the runtime does (`exec`), so its stderr flows at once.
   * @default {true}
   */
  gateStderr?: boolean;
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

/**
 * Runs a runc-compatible CLI (runc, crun, youki, or another) with argv arrays
 * only: global options before the subcommand, a per-call JSON log for the
 * runtime's messages, a timeout on every call, and on timeout or abort
 * SIGTERM then SIGKILL to the runtime and every process it forked.
 *
 * Non-zero exits are returned, not thrown, so that each runtime can classify
 * its own messages; only a missing binary, a timeout and an abort throw.
 *
 * @example
 * ```ts ignore
 * import { OciCli } from "@weft/runtime";
 *
 * const cli = new OciCli({ name: "runc", root: "/run/weft/runc" });
 * const result = await cli.run(["state", "web"], { timeout: 5_000 });
 * console.log(result.code, result.message);
 * ```
 */
export class OciCli {
  /** The runtime's name. */
  readonly name: string;
  /** The binary run. */
  readonly binary: string;
  readonly #options: OciCliOptions;
  #resolved: string | undefined;

  /** Creates the driver; nothing runs until {@linkcode OciCli.run}. */
  constructor(options: OciCliOptions) {
    this.#options = options;
    this.name = options.name;
    this.binary = options.binary ?? options.name;
    checkTimeout(options.timeout, "timeout");
  }

  /**
   * The global arguments, placed before every subcommand: `--log logFile`
   * when given, else `--log-format json` alone when `jsonOnStderr`.
   */
  globalArgs(logFile?: string, jsonOnStderr = false): string[] {
    const args: string[] = [];
    if (this.#options.root !== undefined) args.push("--root", this.#options.root);
    if (logFile !== undefined) args.push("--log", logFile, "--log-format", "json");
    else if (jsonOnStderr) args.push("--log-format", "json");
    if (this.#options.debug) args.push("--debug");
    args.push(...(this.#options.globalArgs ?? []));
    return args;
  }

  /**
   * Refuses a call before anything runs: a timeout out of range, or a
   * `signal` that is already aborted (a {@linkcode RuntimeAbortError}, with
   * nothing started and so nothing to undo). {@linkcode OciCli.run} calls it;
   * callers that do more than one run per call (`create`, which undoes a
   * stopped create) call it first.
   *
   * @example
   * ```ts
   * import { throws } from "node:assert/strict";
   * import { OciCli, RuntimeAbortError } from "@weft/runtime";
   *
   * const cli = new OciCli({ name: "runc" });
   * throws(() => cli.checkCall(["state", "web"], { signal: AbortSignal.abort() }), RuntimeAbortError);
   * ```
   */
  checkCall(args: readonly string[], options: CallOptions): void {
    checkTimeout(options.timeout, "options.timeout");
    if (options.signal?.aborted) {
      const call = [this.name, ...args].join(" ");
      throw new RuntimeAbortError(`Runtime call "${call}" was aborted before it ran`, {
        argv: [this.binary, ...args],
        cause: options.signal.reason,
      });
    }
  }

  /** Runs the subcommand and arguments in `args`. */
  async run(args: readonly string[], options: OciCliRunOptions = {}): Promise<OciCliResult> {
    this.checkCall(args, options);
    // Sync on purpose, here and for the read and removal: a few local syscalls
    // on the main thread, where the async forms add a hand-off to a worker
    // thread each (0.05 to 0.3 ms per call, measured on a loaded machine).
    const jsonLog = this.#options.jsonLog !== false;
    // With container stdio, the runtime's stderr is only readable while it is
    // held back from the container (gated and not inherited).
    const stderrReadable = !options.stdio ||
      (options.stdio.stderr !== "inherit" && options.gateStderr !== false);
    const onStderr = jsonLog && this.#options.logOnStderr === true && stderrReadable;
    const logFile = jsonLog && !onStderr ? this.#newLogFile() : undefined;
    const cliArgs = [...this.globalArgs(logFile, onStderr), ...args];
    const argv = [this.binary, ...cliArgs];
    try {
      return options.stdio
        ? await this.#runWithStdio(argv, args, options.stdio, options, logFile, onStderr)
        : await this.#runCaptured(argv, args, options, logFile, onStderr);
    } finally {
      if (logFile !== undefined) removeQuietly(logFile);
    }
  }

  /** Creates the per-call log file (and its directory, the first time, if missing). */
  #newLogFile(): string {
    const dir = this.#options.logDir ?? Deno.env.get("TMPDIR") ?? "/tmp";
    const options = { dir, prefix: `weft-${this.name}-`, suffix: ".log" };
    try {
      return Deno.makeTempFileSync(options);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      Deno.mkdirSync(dir, { recursive: true, mode: 0o755 });
      return Deno.makeTempFileSync(options);
    }
  }

  /**
   * The command that starts the runtime, with `session` in a session (and
   * process group) of its own, so that a stop reaches the helpers it forks
   * and a terminal's Ctrl-C never reaches them. `setsid` (util-linux or busybox)
   * does it for the price of one exec; Deno's own `detached` costs about
   * 5 ms more per call (it cannot use the fast spawn path), which is the
   * fallback when there is no `setsid`.
   */
  async #launch(
    argv: string[],
    session: boolean,
  ): Promise<{ command: string; args: string[]; detached: boolean }> {
    const binary = this.#resolved ??= await findBinary(argv[0]);
    if (binary === undefined) {
      const path = argv[0].includes("/") ? undefined : Deno.env.get("PATH") ?? "";
      const where = path === undefined ? "" : ` in PATH "${path}"`;
      throw new RuntimeNotFoundError(
        `Cannot run ${this.name}: binary "${argv[0]}" not found${where}`,
        { binary: argv[0], path },
      );
    }
    if (!session) return { command: binary, args: argv.slice(1), detached: false };
    const setsid = await (setsidLookup ??= findBinary("setsid"));
    return setsid === undefined
      ? { command: binary, args: argv.slice(1), detached: true }
      : { command: setsid, args: [binary, ...argv.slice(1)], detached: false };
  }

  /** Spawns the runtime; `container` when its process becomes a container's (see cleanSignalSpawnOptions). */
  async #spawn(
    argv: string[],
    stdio: Pick<Deno.CommandOptions, "stdin" | "stdout" | "stderr">,
    session: boolean,
    container = false,
  ): Promise<Deno.ChildProcess> {
    const { command, args, detached } = await this.#launch(argv, session);
    // The runtime would otherwise talk to our service manager (runc does).
    // Copying the environment costs about 0.2 ms a call, so it is only done
    // when something has to change.
    const strip = Deno.env.get("NOTIFY_SOCKET") !== undefined;
    const extra = this.#options.env;
    let env: Record<string, string> | undefined;
    if (strip || (extra && Object.keys(extra).length > 0)) {
      env = { ...Deno.env.toObject(), ...extra };
      delete env.NOTIFY_SOCKET;
    }
    logger.debug("Running {argv}", { argv });
    try {
      const child = new Deno.Command(command, {
        args,
        ...stdio,
        ...(env && { env, clearEnv: true }),
        ...(container && cleanSignalSpawnOptions()),
        detached,
      }).spawn();
      trackChildProcess(child);
      return child;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
        this.#resolved = undefined;
        throw new RuntimeNotFoundError(
          `Cannot run ${this.name}: binary "${argv[0]}" cannot be executed`,
          { binary: argv[0], cause: error },
        );
      }
      throw error;
    }
  }

  async #runCaptured(
    argv: string[],
    args: readonly string[],
    options: OciCliRunOptions,
    logFile: string | undefined,
    jsonOnStderr: boolean,
  ): Promise<OciCliResult> {
    const capture = options.captureStdout !== false;
    const child = await this.#spawn(
      argv,
      { stdin: "null", stdout: capture ? "piped" : "null", stderr: "piped" },
      false,
    );
    const stdout = capture ? new Response(child.stdout).text() : Promise.resolve("");
    const stderr = new Response(child.stderr).text();
    const status = await this.#wait(child, argv, args, options, false).catch(async (error) => {
      await Promise.allSettled([stdout, stderr]);
      throw error;
    });
    const err = await stderr;
    if (!jsonOnStderr) return this.#result(argv, status.code, await stdout, err, logFile);
    // The JSON log came on stderr, beside the plain copy some runtimes print.
    return this.#result(argv, status.code, await stdout, err, undefined, err);
  }

  async #runWithStdio(
    argv: string[],
    args: readonly string[],
    stdio: Stdio,
    options: OciCliRunOptions,
    logFile: string | undefined,
    jsonOnStderr: boolean,
  ): Promise<OciCliResult> {
    const gateStderr = options.gateStderr !== false;
    const mode = <T>(target: T | "inherit" | undefined): "piped" | "inherit" | "null" =>
      target === "inherit" ? "inherit" : target === undefined ? "null" : "piped";
    // `create` needs no session of its own: crun and runc start the
    // container's init in a new session themselves (measured), and a stop
    // finds the runtime's helpers through /proc. That spares an exec (about
    // 1.3 ms) on the path every container start takes. An exec'd process
    // (`gateStderr` off) keeps the session, so a stop reaches what it forks.
    const session = !gateStderr;
    const child = await this.#spawn(
      argv,
      {
        stdin: mode(stdio.stdin),
        stdout: mode(stdio.stdout),
        // Always piped unless inherited: the runtime's own errors arrive here.
        stderr: stdio.stderr === "inherit" ? "inherit" : "piped",
      },
      session,
      true,
    );
    const warn = (stream: string) => (error: unknown) =>
      logger.warn("Container {stream} pipe failed: {error}", { stream, error });
    if (stdio.stdin !== undefined && stdio.stdin !== "inherit") {
      stdio.stdin.pipeTo(child.stdin).catch(warn("stdin"));
    }
    if (stdio.stdout !== undefined && stdio.stdout !== "inherit") {
      child.stdout.pipeTo(stdio.stdout).catch(warn("stdout"));
    }
    const sink = stdio.stderr === "inherit" ? undefined : stdio.stderr;
    const pump = stdio.stderr === "inherit"
      ? undefined
      : new GatedPump(child.stderr, sink, warn("stderr"));
    if (!gateStderr) pump?.open();
    let status: Deno.CommandStatus;
    try {
      status = await this.#wait(child, argv, args, options, session);
    } catch (error) {
      await pump?.fail(0);
      throw error;
    }
    let stderr = "";
    if (status.success) {
      const held = pump?.open() ?? "";
      if (held !== "") {
        logger.debug("{runtime} said on stderr: {text}", { runtime: this.name, text: held });
      }
    } else if (gateStderr) {
      stderr = await pump?.fail(500) ?? "";
    }
    return this.#result(argv, status.code, "", stderr, logFile, jsonOnStderr ? stderr : undefined);
  }

  #result(
    argv: string[],
    code: number,
    stdout: string,
    stderr: string,
    logFile: string | undefined,
    logText?: string,
  ): OciCliResult {
    // A successful call's log is not read: nothing in it is used.
    const log = logText ?? (logFile === undefined || code === 0 ? "" : readQuietly(logFile));
    const plain = logText === undefined ? stderr : withoutJsonLines(stderr);
    const message = lastJsonLogError(log) ?? (plain.trim() || stdout.trim());
    return { argv, code, success: code === 0, stdout, stderr, message };
  }

  /** Waits for the runtime; on timeout or abort stops it and its helpers, and throws. */
  async #wait(
    child: Deno.ChildProcess,
    argv: string[],
    args: readonly string[],
    options: CallOptions,
    session: boolean,
  ): Promise<Deno.CommandStatus> {
    const timeout = options.timeout ?? this.#options.timeout ?? DEFAULT_CALL_TIMEOUT;
    const signal = options.signal;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const interrupted = new Promise<"timeout" | "abort">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeout);
      onAbort = () => resolve("abort");
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const first = await Promise.race([child.status, interrupted]);
      if (typeof first === "object") return first;
      await this.#stop(child, session);
      const call = [this.name, ...args].join(" ");
      if (first === "timeout") {
        throw new RuntimeTimeoutError(`Runtime call "${call}" timed out after ${timeout} ms`, {
          argv,
          timeout,
        });
      }
      throw new RuntimeAbortError(`Runtime call "${call}" was aborted`, {
        argv,
        cause: signal?.reason,
      });
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * SIGTERM, then after the grace time SIGKILL, to the runtime and what it
   * forked: its whole session when it has one, else the process tree read
   * from /proc before the first signal (once the runtime dies its children
   * are reparented and can no longer be found from it).
   */
  async #stop(child: Deno.ChildProcess, session: boolean): Promise<void> {
    const grace = this.#options.killGrace ?? 1000;
    const tree = session ? [] : await processTree(child.pid);
    // Without /proc (a PID 1 before mounting it) the tree is empty: at
    // least the runtime itself is stopped.
    const direct = !session && tree.length === 0;
    if (session) signalGroup(child.pid, "SIGTERM");
    else if (direct) killQuietly(child, "SIGTERM");
    else await signalTree(tree, "SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      child.status,
      new Promise<void>((resolve) => timer = setTimeout(resolve, grace)),
    ]);
    clearTimeout(timer);
    // Even when the runtime itself obeyed TERM, a helper it forked may not
    // have: KILL whatever is left.
    if (session) signalGroup(child.pid, "SIGKILL");
    else if (direct) killQuietly(child, "SIGKILL");
    else await signalTree([...tree, ...await processTree(child.pid)], "SIGKILL");
    await child.status;
  }
}

function withoutJsonLines(text: string): string {
  return text.split("\n").filter((line) => !line.trimStart().startsWith("{")).join("\n");
}

function killQuietly(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // It has exited.
  }
}

function removeQuietly(file: string): void {
  try {
    Deno.removeSync(file);
  } catch {
    // Already gone.
  }
}

function readQuietly(file: string): string {
  try {
    return Deno.readTextFileSync(file);
  } catch {
    return "";
  }
}

function signalGroup(pgid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pgid, signal);
  } catch (error) {
    // ESRCH: the group is already gone.
    if (!(error instanceof Deno.errors.NotFound)) {
      logger.warn("Cannot send {signal} to process group {pgid}: {error}", { signal, pgid, error });
    }
  }
}

function checkTimeout(timeout: unknown, argument: string): void {
  if (timeout === undefined) return;
  if (
    typeof timeout !== "number" || !Number.isFinite(timeout) || timeout <= 0 ||
    timeout > MAX_CALL_TIMEOUT
  ) {
    throw new InvalidArgumentError(
      `Invalid ${argument} ${
        JSON.stringify(timeout)
      }: expected a positive number of milliseconds, at most ${MAX_CALL_TIMEOUT}`,
      { argument, value: timeout },
    );
  }
}
