import { validateBundleDir } from "./bundle_dir.ts";
import { validateContainerId } from "./container_id.ts";
import {
  InvalidArgumentError,
  RuntimeAbortError,
  RuntimeCommandError,
  RuntimeOutputError,
  RuntimeTimeoutError,
} from "./errors.ts";
import {
  ContainerExistsError,
  ContainerNotFoundError,
  ContainerNotRunningError,
} from "./container_errors.ts";
import { OciCli } from "./oci_cli.ts";
import type { OciCliOptions, OciCliResult } from "./oci_cli_options.ts";
import {
  type CallOptions,
  type ContainerState,
  type ContainerStatus,
  type CreateOptions,
  type DeleteOptions,
  isContainerStatus,
  type KillOptions,
  livePid,
  type Runtime,
} from "./runtime.ts";
import { parseSignal, type Signal } from "./signal.ts";
import type { Stdio } from "./stdio.ts";
import type {
  ContainerSummary,
  ExecCapability,
  ExecOptions,
  ExecResult,
  FeaturesCapability,
  ListCapability,
  PauseCapability,
  RuntimeFeatures,
  RuntimeVersion,
  VersionCapability,
} from "./capabilities.ts";
import { parseListOutput, parseVersionOutput } from "./oci_cli_output.ts";
import { checkExecArgs, execProcessSpec } from "./_exec_process.ts";

/**
 * Options of {@linkcode OciCliRuntime}.
 *
 * @example
 * ```ts no-assert
 * import type { OciCliRuntimeOptions } from "@weft/runtime";
 *
 * const options: OciCliRuntimeOptions = {
 *   name: "my-runtime",
 *   notFoundPatterns: [/no such container/i],
 * };
 * ```
 */
export interface OciCliRuntimeOptions extends OciCliOptions {
  /**
   * Runtime messages that mean "this container id does not exist", beyond
   * the `does not exist` that runc, crun and youki share. Like the other two
   * kinds of patterns, they are added to the shared ones, never replace them:
   * a plugin that names its own messages still recognises the common ones.
   * A plugin that must not match a shared pattern overrides
   * {@linkcode OciCliRuntime.isNotFound} or {@linkcode OciCliRuntime.commandError}.
   * @default {[]}
   */
  notFoundPatterns?: readonly RegExp[];
  /**
   * Runtime messages of `kill` that mean "the container is not running",
   * beyond the shared `/not running/i` and `/no such process/i`.
   * @default {[]}
   */
  notRunningPatterns?: readonly RegExp[];
  /**
   * Runtime messages of `create` and `run` that mean "this id is taken",
   * beyond the shared `/\bcontainer\b.*\balready exists/i` (crun's "container
   * `web` already exists", runc's "container with given ID already exists").
   * @default {[]}
   */
  existsPatterns?: readonly RegExp[];
}

/**
 * A {@linkcode Runtime} for any runc-compatible CLI, built on
 * {@linkcode OciCli}. The crun, runc and youki packages extend it with what
 * differs; a third-party plugin for another compatible CLI can too.
 *
 * @example
 * ```ts ignore
 * import { OciCliRuntime } from "@weft/runtime";
 *
 * const runtime = new OciCliRuntime({ name: "runc", root: "/run/weft/runc" });
 * console.log(await runtime.state("web"));
 * ```
 */
export class OciCliRuntime
  implements
    Runtime,
    VersionCapability,
    FeaturesCapability,
    ListCapability,
    ExecCapability,
    PauseCapability {
  /** The runtime's name. */
  readonly name: string;
  /** The driver that runs the binary. */
  protected readonly cli: OciCli;
  readonly #notFound: readonly RegExp[];
  readonly #notRunning: readonly RegExp[];
  readonly #exists: readonly RegExp[];

  /** Creates the runtime; nothing runs until a call. */
  constructor(options: OciCliRuntimeOptions) {
    this.name = options.name;
    this.cli = new OciCli(options);
    this.#notFound = [/does not exist/i, ...(options.notFoundPatterns ?? [])];
    this.#notRunning = [/not running/i, /no such process/i, ...(options.notRunningPatterns ?? [])];
    this.#exists = [/\bcontainer\b.*\balready exists/i, ...(options.existsPatterns ?? [])];
  }

  /** The runtime binary this instance runs. */
  get binary(): string {
    return this.cli.binary;
  }

  async create(
    id: string,
    bundleDir: string,
    stdio: Stdio = {},
    options: CreateOptions = {},
  ): Promise<void> {
    await this.#launch("create", id, bundleDir, stdio, options);
  }

  /**
   * Creates and starts the container in one runtime process
   * (`run --detach`); see {@linkcode Runtime.run}.
   */
  async run(
    id: string,
    bundleDir: string,
    stdio: Stdio = {},
    options: CreateOptions = {},
  ): Promise<void> {
    await this.#launch("run", id, bundleDir, stdio, options);
  }

  async #launch(
    verb: "create" | "run",
    id: string,
    bundleDir: string,
    stdio: Stdio,
    options: CreateOptions,
  ): Promise<void> {
    validateContainerId(id);
    const bundle = await validateBundleDir(bundleDir);
    const args = [
      ...(verb === "run" ? ["run", "--detach"] : ["create"]),
      "--bundle",
      bundle,
      ...this.createArgs(options),
      id,
    ];
    // Before the try: a call refused before it ran has nothing to undo.
    this.cli.checkCall(args, options);
    let result: OciCliResult;
    try {
      result = await this.cli.run(args, {
        stdio,
        signal: options.signal,
        timeout: options.timeout,
        // After `run`, what the container wrote before the runtime exited is its own.
        gateStderr: verb === "run" ? "release" : true,
      });
    } catch (error) {
      if (error instanceof RuntimeTimeoutError || error instanceof RuntimeAbortError) {
        // The runtime was stopped half-way: undo whatever it had set up.
        await this.cli.run(["delete", "--force", id], { timeout: options.timeout })
          .catch(() => {});
      }
      throw error;
    }
    if (!result.success) throw this.commandError(verb, id, result);
  }

  /** The `create` options this runtime understands, placed before the id. */
  protected createArgs(options: CreateOptions): string[] {
    const args: string[] = [];
    if (options.pidFile !== undefined) {
      if (typeof options.pidFile !== "string" || !options.pidFile.startsWith("/")) {
        throw new InvalidArgumentError(
          `Invalid pidFile ${JSON.stringify(options.pidFile)}: expected an absolute path`,
          { argument: "options.pidFile", value: options.pidFile },
        );
      }
      args.push("--pid-file", options.pidFile);
    }
    if (options.noPivot) args.push("--no-pivot");
    if (options.noNewKeyring) args.push("--no-new-keyring");
    if (options.preserveFds !== undefined) {
      if (!Number.isInteger(options.preserveFds) || options.preserveFds < 0) {
        throw new InvalidArgumentError(
          `Invalid preserveFds ${
            JSON.stringify(options.preserveFds)
          }: expected a non-negative integer`,
          { argument: "options.preserveFds", value: options.preserveFds },
        );
      }
      args.push("--preserve-fds", String(options.preserveFds));
    }
    return args;
  }

  async start(id: string, options: CallOptions = {}): Promise<void> {
    validateContainerId(id);
    await this.#call("start", id, ["start", id], options);
  }

  async state(id: string, options: CallOptions = {}): Promise<ContainerState> {
    validateContainerId(id);
    const result = await this.cli.run(["state", id], options);
    if (!result.success) {
      if (this.isNotFound(result.message)) return { status: "", pid: 0 };
      throw this.commandError("state", id, result);
    }
    return this.parseState(result.stdout, result.argv);
  }

  async kill(id: string, signal: string | number, options: KillOptions = {}): Promise<void> {
    validateContainerId(id);
    const parsed = parseSignal(signal);
    const args = ["kill", ...(options.all ? ["--all"] : []), id, this.signalArg(parsed)];
    await this.#call("kill", id, args, options);
  }

  async delete(id: string, options: DeleteOptions = {}): Promise<void> {
    validateContainerId(id);
    await this.#call("delete", id, ["delete", ...(options.force ? ["--force"] : []), id], options);
  }

  async pause(id: string, options: CallOptions = {}): Promise<void> {
    validateContainerId(id);
    await this.#call("pause", id, ["pause", id], options);
  }

  async resume(id: string, options: CallOptions = {}): Promise<void> {
    validateContainerId(id);
    await this.#call("resume", id, ["resume", id], options);
  }

  async version(options: CallOptions = {}): Promise<RuntimeVersion> {
    const result = await this.cli.run(["--version"], options);
    if (!result.success) throw this.#globalError("read the version of", result);
    const version = parseVersionOutput(result.stdout);
    if (version) return version;
    throw new RuntimeOutputError(
      `Cannot parse ${this.name} --version output: expected "<name> version X" first: ${
        JSON.stringify(result.stdout.slice(0, 200))
      }`,
      { argv: result.argv, output: result.stdout },
    );
  }

  async features(options: CallOptions = {}): Promise<RuntimeFeatures> {
    const result = await this.cli.run(["features"], options);
    if (!result.success) {
      // crun before 1.8.6 answers "unknown command features".
      if (/unknown command|no help topic|unrecognized/i.test(result.message)) {
        return { supported: false, reason: result.message };
      }
      throw this.#globalError("read the features of", result);
    }
    try {
      const features = JSON.parse(result.stdout);
      if (typeof features === "object" && features !== null && !Array.isArray(features)) {
        return { supported: true, features };
      }
    } catch {
      // Reported below with the output.
    }
    throw new RuntimeOutputError(
      `Cannot parse ${this.name} features output: expected a JSON object: ${
        JSON.stringify(result.stdout.slice(0, 200))
      }`,
      { argv: result.argv, output: result.stdout },
    );
  }

  async list(options: CallOptions = {}): Promise<ContainerSummary[]> {
    const result = await this.cli.run(["list", "--format", "json"], options);
    if (!result.success) throw this.#globalError("list the containers of", result);
    const list = parseListOutput(result.stdout);
    if (list) return list;
    throw new RuntimeOutputError(
      `Cannot parse ${this.name} list output: expected a JSON array of containers: ${
        JSON.stringify(result.stdout.slice(0, 200))
      }`,
      { argv: result.argv, output: result.stdout },
    );
  }

  async exec(
    id: string,
    args: readonly string[],
    options: ExecOptions = {},
  ): Promise<ExecResult> {
    validateContainerId(id);
    checkExecArgs(args, options);
    const call = { signal: options.signal, timeout: options.timeout };
    const state = await this.state(id, call);
    if (state.status === "" || state.bundle === undefined) {
      const argv = [this.cli.binary, "state", id];
      const runtimeMessage = state.status === ""
        ? "container does not exist"
        : "no bundle in state";
      throw new ContainerNotFoundError(`Cannot exec in container "${id}": it does not exist`, {
        id,
        argv,
        code: 1,
        runtimeMessage,
      });
    }
    const spec = await execProcessSpec(state.bundle, args, options);
    const dir = await Deno.makeTempDir({ prefix: `weft-${this.name}-exec-` });
    try {
      await Deno.writeTextFile(`${dir}/process.json`, JSON.stringify(spec));
      const detach = options.detach ? ["--detach", "--pid-file", `${dir}/pid`] : [];
      const result = await this.cli.run(
        ["exec", "--process", `${dir}/process.json`, ...detach, id],
        { ...call, stdio: options.stdio ?? {}, gateStderr: false },
      );
      // The runtime's own failures are in its JSON log; otherwise a non-zero
      // code is the process's own exit code.
      if (!result.success && result.message !== "") throw this.commandError("exec in", id, result);
      if (!options.detach) return { code: result.code };
      const pid = Number((await Deno.readTextFile(`${dir}/pid`)).trim());
      return { code: 0, pid };
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }

  #globalError(what: string, result: OciCliResult): RuntimeCommandError {
    const runtimeMessage = result.message || "(the runtime printed no message)";
    return new RuntimeCommandError(
      `Cannot ${what} ${this.name}: ${this.name} exited with code ${result.code}: ${runtimeMessage}`,
      { argv: result.argv, code: result.code, runtimeMessage },
    );
  }

  async #call(verb: string, id: string, args: string[], options: CallOptions): Promise<void> {
    const result = await this.cli.run(args, { ...options, captureStdout: false });
    if (!result.success) throw this.commandError(verb, id, result);
  }

  /**
   * How a signal is written on this runtime's command line. Numbers work on
   * runc, crun and youki alike (youki only for 1-31).
   */
  protected signalArg(signal: Signal): string {
    return String(signal.number);
  }

  /** Whether a runtime message means the container id is unknown. */
  protected isNotFound(message: string): boolean {
    return this.#notFound.some((pattern) => pattern.test(message));
  }

  /** Turns a failed call into the typed error that fits its message. */
  protected commandError(verb: string, id: string, result: OciCliResult): RuntimeCommandError {
    const runtimeMessage = result.message || "(the runtime printed no message)";
    const options = { id, argv: result.argv, code: result.code, runtimeMessage };
    const detail = `${this.name} exited with code ${result.code}: ${runtimeMessage}`;
    const launch = verb === "create" || verb === "run";
    if (!launch && this.isNotFound(result.message)) {
      return new ContainerNotFoundError(
        `Cannot ${verb} container "${id}": it does not exist: ${detail}`,
        options,
      );
    }
    if (launch && this.#exists.some((pattern) => pattern.test(result.message))) {
      return new ContainerExistsError(
        `Cannot ${verb} container "${id}": it already exists: ${detail}`,
        options,
      );
    }
    if (verb === "kill" && this.#notRunning.some((pattern) => pattern.test(result.message))) {
      return new ContainerNotRunningError(
        `Cannot kill container "${id}": it is not running: ${detail}`,
        options,
      );
    }
    return new RuntimeCommandError(`Cannot ${verb} container "${id}": ${detail}`, options);
  }

  /** Parses `state` output (JSON) into a {@linkcode ContainerState}. */
  protected parseState(stdout: string, argv: readonly string[]): ContainerState {
    const fail = (why: string, cause?: unknown): never => {
      const shown = stdout.length > 500 ? `${stdout.slice(0, 500)}...` : stdout;
      throw new RuntimeOutputError(
        `Cannot parse ${this.name} state output: ${why}: ${JSON.stringify(shown)}`,
        { argv, output: stdout, cause },
      );
    };
    let raw: unknown;
    try {
      raw = JSON.parse(stdout);
    } catch (error) {
      return fail("expected JSON", error);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      return fail("expected a JSON object");
    }
    const record = raw as Record<string, unknown>;
    const status = record.status as ContainerStatus;
    if (!isContainerStatus(status)) {
      return fail(`unknown status ${JSON.stringify(record.status)}`);
    }
    const pid = record.pid ?? 0;
    if (typeof pid !== "number" || !Number.isInteger(pid) || pid < 0) {
      return fail(`expected a pid that is a non-negative integer, got ${JSON.stringify(pid)}`);
    }
    const state: ContainerState = { status, pid: livePid(status, pid), raw: record };
    if (typeof record.bundle === "string") state.bundle = record.bundle;
    return state;
  }
}
