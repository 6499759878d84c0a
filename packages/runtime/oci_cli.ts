import { getLogger } from "@logtape/logtape";
import { lastJsonLogError } from "./_json_log.ts";
import { GatedPump } from "./_gated_pump.ts";
import { cleanSignalSpawnOptions } from "./_clean_signals.ts";
import { trackChildProcess } from "./child_registry.ts";
import { findBinary } from "./find_binary.ts";
import { stopProcess } from "./_process_tree.ts";
import {
  DEFAULT_CALL_TIMEOUT,
  MAX_CALL_TIMEOUT,
  type OciCliOptions,
  type OciCliResult,
  type OciCliRunOptions,
} from "./oci_cli_options.ts";
import { isCallTimeout } from "./plugin_options.ts";
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
      (options.stdio.stderr !== "inherit" && (options.gateStderr ?? true) === true);
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
    const gate = options.gateStderr ?? true;
    const gateStderr = gate !== false;
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
      const held = pump?.open(gate === "release") ?? "";
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
      await stopProcess(child, session, this.#options.killGrace ?? 1000);
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
}

function withoutJsonLines(text: string): string {
  return text.split("\n").filter((line) => !line.trimStart().startsWith("{")).join("\n");
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

function checkTimeout(timeout: unknown, argument: string): void {
  if (timeout === undefined) return;
  if (!isCallTimeout(timeout)) {
    throw new InvalidArgumentError(
      `Invalid ${argument} ${
        JSON.stringify(timeout)
      }: expected a positive number of milliseconds, at most ${MAX_CALL_TIMEOUT}`,
      { argument, value: timeout },
    );
  }
}
