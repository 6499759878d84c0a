// Runs weft-init (packages/init/main.ts) on a pod of real busybox containers,
// either as the real PID 1 of a new PID namespace or as a plain child (where
// it makes itself a child subreaper), and lets a test signal it, watch its
// output and status file, and collect its exit.
import { childPids } from "@weft/runtime";
import { createBusyboxBundle, poll } from "@weft/runtime/testing";
import { requireBinary } from "@weft/runtime/testing";
import type { PodStatus } from "@weft/init";

/** How the init runs: PID 1 of a PID namespace, or a subreaper child. */
export type InitMode = "pid1" | "child";

/** The runtimes the scenarios run on. */
export const RUNTIMES = ["runc", "crun"] as const;
/** The two ways the init runs. */
export const MODES: readonly InitMode[] = ["pid1", "child"];

const MAIN = new URL("../packages/init/main.ts", import.meta.url).pathname;
const UNSHARE = await requireBinary("unshare");
const installed: Record<string, boolean> = {
  runc: (await requireBinary("runc")) !== undefined,
  crun: (await requireBinary("crun")) !== undefined,
  busybox: (await requireBinary("busybox")) !== undefined,
};

/** Whether a scenario cannot run here (the binaries are missing; requireBinary said so loudly). */
export function missing(runtime: string, mode: InitMode): boolean {
  return !installed[runtime] || !installed.busybox || (mode === "pid1" && UNSHARE === undefined);
}

/** A scenario's name suffix, for example `(runc, PID 1)`. */
export function label(runtime: string, mode: InitMode): string {
  return `(${runtime}, ${mode === "pid1" ? "PID 1" : "subreaper child"})`;
}

/** What a {@linkcode podTest} scenario gets: its fresh pod directory, runtime and init mode. */
export interface PodScenario {
  pod: PodDir;
  runtime: (typeof RUNTIMES)[number];
  mode: InitMode;
}

/** Which runtimes and init modes a {@linkcode podTest} scenario runs on. */
export interface PodTestOptions {
  /** @default {RUNTIMES} */
  runtimes?: readonly (typeof RUNTIMES)[number][];
  /** @default {MODES} */
  modes?: readonly InitMode[];
}

/**
 * Registers scenario `name` once per runtime and init mode (named with its
 * {@linkcode label}, ignored where {@linkcode missing}), each run with a
 * fresh {@linkcode PodDir} that is removed afterwards.
 */
export function podTest(
  name: string | ((runtime: string) => string),
  fn: (scenario: PodScenario) => Promise<void>,
  options: PodTestOptions = {},
): void {
  for (const runtime of options.runtimes ?? RUNTIMES) {
    for (const mode of options.modes ?? MODES) {
      Deno.test({
        name: `${typeof name === "string" ? name : name(runtime)} ${label(runtime, mode)}`,
        ignore: missing(runtime, mode),
        async fn(): Promise<void> {
          await using pod = await PodDir.create();
          await fn({ pod, runtime, mode });
        },
      });
    }
  }
}

/** A pod directory: bundles, pod.json, the state root and the status file. */
export class PodDir implements AsyncDisposable {
  readonly dir: string;
  readonly root: string;
  readonly statusFile: string;
  readonly configFile: string;

  private constructor(dir: string) {
    this.dir = dir;
    this.root = `${dir}/root`;
    this.statusFile = `${dir}/status.json`;
    this.configFile = `${dir}/pod.json`;
  }

  /** Makes a fresh temporary pod directory. */
  static async create(): Promise<PodDir> {
    return new PodDir(await Deno.makeTempDir({ prefix: "weft-init-test-" }));
  }

  /** Builds a busybox bundle running `script` with `sh -c`. */
  async bundle(
    script: string,
    options: { pidNamespace?: boolean; configure?: (config: Record<string, unknown>) => void } = {},
  ): Promise<string> {
    const bundle = await createBusyboxBundle({
      parent: this.dir,
      args: ["sh", "-c", script],
      configure: (config) => {
        if (options.pidNamespace === false) {
          const linux = config.linux as { namespaces: { type: string }[] };
          linux.namespaces = linux.namespaces.filter((ns) => ns.type !== "pid");
        }
        options.configure?.(config);
      },
    });
    return bundle.dir;
  }

  /** Writes pod.json: `pod` plus a runtime section for `runtime` with this directory's state root. */
  async write(runtime: string, pod: Record<string, unknown>): Promise<string> {
    const document = {
      ...pod,
      runtime: { name: runtime, root: this.root, ...(pod.runtime as object ?? {}) },
      statusFile: this.statusFile,
    };
    await Deno.writeTextFile(this.configFile, JSON.stringify(document, null, 2));
    return this.configFile;
  }

  /** The status file, or undefined before it exists. */
  async status(): Promise<PodStatus | undefined> {
    try {
      return JSON.parse(await Deno.readTextFile(this.statusFile));
    } catch {
      return undefined;
    }
  }

  /** The entries left in the runtime's state root. */
  async rootEntries(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.root)) names.push(entry.name);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return names;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** The end of an init run. */
export interface InitExit {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running weft-init. */
export class InitProcess implements AsyncDisposable {
  readonly mode: InitMode;
  readonly #child: Deno.ChildProcess;
  #stdout = "";
  #initPid?: number;
  #ended = false;
  #stderr = "";
  readonly exited: Promise<InitExit>;

  constructor(child: Deno.ChildProcess, mode: InitMode) {
    this.#child = child;
    this.mode = mode;
    const pump = async (stream: ReadableStream<Uint8Array>, add: (text: string) => void) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) add(text);
    };
    const pumps = [
      pump(child.stdout, (text) => this.#stdout += text),
      pump(child.stderr, (text) => this.#stderr += text),
    ];
    this.exited = (async () => {
      const { code } = await child.status;
      this.#ended = true;
      await Promise.all(pumps);
      return { code, stdout: this.#stdout, stderr: this.#stderr };
    })();
  }

  /** What the init printed on stdout so far (container console output). */
  get stdout(): string {
    return this.#stdout;
  }

  /** What the init logged so far. */
  get stderr(): string {
    return this.#stderr;
  }

  /** The init's pid in this test's PID namespace (the child of unshare in PID 1 mode). */
  async pid(): Promise<number> {
    if (this.mode === "child") return this.#child.pid;
    if (this.#initPid !== undefined) return this.#initPid;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const [pid] = childPids(this.#child.pid) ?? [];
      if (pid > 0) return this.#initPid = pid;
      if (this.#ended) break;
      await sleep(10);
    }
    throw new Error("The init never started under unshare");
  }

  /** Sends `signal` to the init itself. */
  async kill(signal: Deno.Signal): Promise<void> {
    Deno.kill(await this.pid(), signal);
  }

  /** Waits until `predicate` holds for the output so far. */
  async waitForOutput(
    predicate: (stdout: string, stderr: string) => boolean,
    timeout = 15_000,
  ): Promise<void> {
    await waitFor(
      () => predicate(this.#stdout, this.#stderr),
      timeout,
      () => `output never matched; stdout:\n${this.#stdout}\nstderr:\n${this.#stderr}`,
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    // Once the child is reaped its pid (and the init's, which unshare reaped
    // before it) may already belong to another process: pids wrap at 32768
    // here, and the suite starts thousands. A KILL then would hit a stranger
    // (it did: a container of a test running beside this one).
    if (this.#ended) return void await this.exited;
    // In PID 1 mode, KILL to the namespace's init ends the whole namespace;
    // killing unshare alone would leave it running.
    for (const pid of new Set([await this.pid().catch(() => this.#child.pid), this.#child.pid])) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await this.exited;
  }
}

/** Starts weft-init on `configFile`. */
export function startInit(
  configFile: string,
  mode: InitMode,
  options: {
    args?: string[];
    env?: Record<string, string>;
    main?: string;
    /** The `deno run` options before the file (default `-A`). */
    runOptions?: string[];
  } = {},
): InitProcess {
  const extraArgs = options.args ?? [];
  const main = options.main ?? MAIN;
  const deno = [
    Deno.execPath(),
    "run",
    ...options.runOptions ?? ["-A"],
    main,
    "--config",
    configFile,
    ...extraArgs,
  ];
  const argv = mode === "pid1"
    ? [UNSHARE!, "--pid", "--fork", "--kill-child", "--mount-proc", ...deno]
    : deno;
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...options.env },
  }).spawn();
  return new InitProcess(child, mode);
}

/** Runs weft-init to its end with `args` (no pod file needed for validate/schema/errors). */
export async function runInit(args: string[], mode: InitMode = "child"): Promise<InitExit> {
  const deno = [Deno.execPath(), "run", "-A", MAIN, ...args];
  const argv = mode === "pid1"
    ? [UNSHARE!, "--pid", "--fork", "--kill-child", "--mount-proc", ...deno]
    : deno;
  const { code, stdout, stderr } = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdin: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}

/** Resolves after `ms` milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` until it holds, or throws after `timeout` ms. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeout = 15_000,
  describe: () => string = () => "condition never held",
): Promise<void> {
  await poll(predicate, (held) => held, describe, { timeout });
}

/** Waits until the status file satisfies `predicate`, and returns it. */
export async function waitForStatus(
  pod: PodDir,
  predicate: (status: PodStatus) => boolean,
  timeout = 15_000,
): Promise<PodStatus> {
  let last: PodStatus | undefined;
  await waitFor(
    async () => {
      last = await pod.status();
      return last !== undefined && predicate(last);
    },
    timeout,
    () => `status never matched; last:\n${JSON.stringify(last, null, 2)}`,
  );
  return last!;
}

/** Pids of the processes (in this PID namespace) whose command line starts with `text`. */
export async function processesWith(text: string): Promise<number[]> {
  const found: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^[0-9]+$/.test(entry.name)) continue;
    const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`).catch(() => "");
    if (cmdline.replaceAll("\0", " ").startsWith(text)) found.push(Number(entry.name));
  }
  return found;
}
