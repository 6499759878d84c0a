/**
 * The `weft-init` command: a PID-1 supervisor for a pod of OCI containers.
 * This module exports nothing: it is the program. Run it with
 * `deno run -A jsr:@weft/init/main run --config /etc/weft/pod.json` (or
 * `deno run -A main.ts` in a checkout), or bundle it (`deno task bundle`)
 * and run `dist/weft-init.js`. `weft-init --help` documents everything. To
 * build your own supervisor instead, use the library of `@weft/init`
 * (`loadConfig`, `chooseRuntime`, `Reaper`, `Supervisor`).
 *
 * @example
 * ```sh
 * deno run -A jsr:@weft/init/main validate /etc/weft/pod.json
 * ```
 *
 * @module
 */
import packageConfig from "./deno.json" with { type: "json" };
import { getLogger } from "@logtape/logtape";
import { parseSignal, writeAllSync } from "@weft/runtime";
// The built-in runtimes are imported statically so that the bundle holds them.
import "@weft/crun";
import "@weft/runc";
import "@weft/youki";
import { setUpLogging } from "./_logging.ts";
import {
  type Command,
  EXIT_CONTROL,
  EXIT_FATAL,
  EXIT_RUNTIME,
  EXIT_USAGE,
  HELP,
  parseCommandLine,
  UsageError,
} from "./_command_line.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { podConfigJsonSchema } from "./config_schema.ts";
import { setUpMachine } from "./machine.ts";
import { watchPowerButton } from "./_power_button.ts";
import { endInit, inInitialPidNamespace, isPid1, preparePid1 } from "./pid1.ts";
import { Reaper } from "./reaper.ts";
import { preflight } from "./preflight.ts";
import { Supervisor } from "./supervisor.ts";
import { listenToSignals } from "./signal_table.ts";
import { LogStore, serveControl, type ServedControl } from "@weft/control";
import { mark } from "./_profile.ts";

const logger = getLogger(["weft", "init"]);

function fail(message: string, code: number): number {
  writeAllSync(Deno.stderr, new TextEncoder().encode(`weft-init: ${message}\n`));
  return code;
}

/** The exit of a failed load or preflight: 2 for the pod file, 3 for the runtime. */
function failed(error: unknown): number {
  if (error instanceof ConfigError) return fail(error.message, EXIT_USAGE);
  return fail((error as Error).message, EXIT_RUNTIME);
}

function print(text: string): number {
  writeAllSync(Deno.stdout, new TextEncoder().encode(text));
  return 0;
}

/** What a fatal error must reach: the pod being supervised, so that it stops in order. */
interface Fatal {
  happened: boolean;
  supervisor?: Supervisor;
}

async function runPod(configFile: string, fatal: Fatal): Promise<number> {
  if (isPid1()) preparePid1();
  let config;
  let chosen;
  try {
    config = await loadConfig(configFile);
    mark("config");
    // The machine's own duties (lo, hostname, limits, network, entropy) belong to its PID 1 only.
    if (isPid1() && inInitialPidNamespace()) {
      setUpMachine(config.machine);
      // The ACPI power button (cloud-hypervisor's graceful stop) stops the pod as Ctrl-Alt-Del does.
      void watchPowerButton(() => {
        logger.info("Power button pressed: stopping the pod as on SIGINT");
        Deno.kill(Deno.pid, "SIGINT");
      });
    }
    chosen = await preflight(config, { configFile });
  } catch (error) {
    return failed(error);
  }
  const { runtime, root } = chosen;
  mark("preflight");
  using reaper = Reaper.start();
  mark("reaper");
  logger.info("weft-init supervising as {mode} with runtime {runtime} (state root {root})", {
    mode: reaper.mode,
    runtime: runtime.name,
    root,
    pid: Deno.pid,
  });
  // The control API's log rings are fed from the first line the containers write.
  const logs = config.control &&
    new LogStore({ lines: config.control.logLines, maxLineLength: config.control.maxLineLength });
  const supervisor = new Supervisor(config, {
    runtime,
    reaper,
    ...(logs ? { console: { tap: (line) => logs.append(line.id, line.stream, line.text) } } : {}),
  });
  let control: ServedControl | undefined;
  if (config.control) {
    try {
      control = await serveControl(supervisor, config.control, {
        version: packageConfig.version,
        logs,
      });
    } catch (error) {
      return fail(`Cannot start the control API: ${(error as Error).message}`, EXIT_CONTROL);
    }
  }
  fatal.supervisor = supervisor;
  try {
    const { exitCode } = await supervisor.run();
    return fatal.happened ? EXIT_FATAL : exitCode;
  } finally {
    await control?.shutdown();
    fatal.supervisor = undefined;
  }
}

async function validate(file: string): Promise<number> {
  try {
    const config = await loadConfig(file);
    const { runtime, binary, root } = await preflight(config, { configFile: file });
    const found = binary === undefined ? "" : ` (${binary})`;
    return print(
      `${file}: valid, ${config.containers.length} container(s), runtime ${runtime.name}${found}, state root ${root}\n`,
    );
  } catch (error) {
    return failed(error);
  }
}

/** Runs `command` and resolves with the process exit code. */
async function main(command: Command, fatal: Fatal): Promise<number> {
  if (command.command === "help") return print(HELP);
  if (command.command === "version") return print(`weft-init ${packageConfig.version}\n`);
  await setUpLogging(command.logLevel, command.logFormat);
  mark("logging");
  switch (command.command) {
    case "schema":
      return print(`${JSON.stringify(podConfigJsonSchema(), null, 2)}\n`);
    case "validate":
      return await validate(command.file);
    case "run":
      return await runPod(command.file, fatal);
  }
}

if (import.meta.main) {
  mark("modules");
  let command: Command | undefined;
  let code: number;
  try {
    command = parseCommandLine(Deno.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    code = fail(error.message, EXIT_USAGE);
  }
  const exitPort = command && "exitPort" in command ? command.exitPort : undefined;
  const fatal: Fatal = { happened: false };
  // Every signal as SIGNAL_TABLE says, from the start: none may end the
  // init before (or after) it supervises. TSTP, TTIN and TTOU: the init
  // itself is never stopped by terminal job control.
  using _signals = listenToSignals({
    stop(signal): void {
      if (fatal.supervisor) return void fatal.supervisor.stop(`received ${signal}`);
      logger.info("Received {signal} before the pod started: ending", { signal });
      // As a process killed by it would: 128 + its number.
      void endInit(128 + parseSignal(signal).number, { exitPort });
    },
    forward(signal): void {
      logger.info("Received {signal}: forwarding it to the running containers", { signal });
      if (fatal.supervisor) void fatal.supervisor.forward(signal);
    },
  });
  // An error nothing caught must not kill PID 1: log it and end in order.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    logger.fatal("Unhandled error: {error}", { error: event.reason });
    fatal.happened = true;
    if (fatal.supervisor) void fatal.supervisor.stop("fatal error");
    else void endInit(EXIT_FATAL, { exitPort });
  });
  if (command) {
    try {
      code = await main(command, fatal);
    } catch (error) {
      logger.fatal("weft-init failed: {error}", { error });
      code = EXIT_FATAL;
    }
  }
  await endInit(code!, { exitPort });
}
