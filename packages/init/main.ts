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
import { parseArgs } from "node:util";
import packageConfig from "./deno.json" with { type: "json" };
import { getLogger, type LogLevel } from "@logtape/logtape";
import type { Runtime } from "@weft/runtime";
// The built-in runtimes are imported statically so that the bundle holds them.
import "@weft/crun";
import "@weft/runc";
import "@weft/youki";
import { LOG_LEVELS, setUpLogging } from "./_logging.ts";
import { ConfigError, loadConfig, type PodConfig } from "./config.ts";
import * as defaults from "./config_defaults.ts";
import { podConfigJsonSchema } from "./config_schema.ts";
import { preflight } from "./preflight.ts";
import { sync } from "./_libc.ts";
import { writeExitPort } from "./exit_port.ts";
import {
  DEFAULT_PSEUDO_FILESYSTEMS,
  mountPseudoFilesystems,
  NAMESPACE_PSEUDO_FILESYSTEMS,
} from "./mounts.ts";
import { isPid1 } from "./pid1.ts";
import { disableCtrlAltDel, powerOff } from "./power.ts";
import { Reaper } from "./reaper.ts";
import { Supervisor } from "./supervisor.ts";
import { listenToSignals, SIGNAL_TABLE } from "./signal_table.ts";

const logger = getLogger(["weft", "init"]);

/** The pod being supervised, so that a fatal error can stop it in order. */
let running: Supervisor | undefined;
/** Set by a fatal error: the init then exits (or powers off) with {@linkcode EXIT_FATAL}. */
let fatal = false;
/** `--exit-port`: the I/O port the exit code is written to before a machine powers off. */
let exitPort: number | undefined;

/** Exit code of a bad command line or configuration. */
const EXIT_USAGE = 2;
/** Exit code when the runtime cannot be loaded or selected. */
const EXIT_RUNTIME = 3;
/** Exit code of an unexpected fatal error. */
const EXIT_FATAL = 1;

const HELP = `weft-init: a PID-1 supervisor for a pod of OCI containers

Usage:
  weft-init [run] [--config PATH] [options]   run the pod
  weft-init validate FILE                     check a pod file and everything the run
                                              checks before it starts a container
  weft-init schema                            print the JSON Schema of the pod file
  weft-init --help | --version

Options:
  -c, --config PATH     the pod file (default ${defaults.DEFAULT_CONFIG_PATH})
  --log-level LEVEL     ${LOG_LEVELS.join(", ")} (default info)
  --log-format FORMAT   text or json (default text); logs go to stderr
  --exit-port PORT      as a VM's PID 1, write the exit code's low byte to this
                        I/O port (/dev/port) before powering off: QEMU's
                        isa-debug-exit device (iobase=0xf4) then exits with
                        status (code << 1) | 1, so the host learns the code
  -h, --help            this text
  -V, --version         the version

The pod file (JSON; durations in milliseconds, at most ${defaults.MAX_DURATION}; unknown
fields are errors; "weft-init schema" prints all of it, rootfs containers too):
  {
    "runtime": {
      "name": "auto",          crun, runc, a plugin's name, or auto (first installed
                               of crun, runc, youki)
      "binary": PATH,          the runtime binary (default: its name in PATH)
      "root": PATH,            state root (default /run/weft/<runtime>)
      "callTimeout": ${defaults.DEFAULT_RUNTIME_CALL_TIMEOUT},    the longest one runtime call may take
      "noPivot": false,        create without pivot_root (initramfs root)
      "options": {},           the plugin's own (crun: {"cgroupManager": "disabled"});
                               options it does not declare are errors
      "plugins": []            plugin modules imported first (relative to the file)
    },
    "containers": [{
      "id": "web",             runc's charset
      "bundle": "bundles/web", OCI bundle directory (relative to the file)
      "restart": {
        "policy": "on-failure",          never | on-failure | always
        "neverRestartExitCodes": [],     statuses never restarted (128+n = signal n)
        "alwaysRestartExitCodes": [],    statuses always restarted
        "backoff": ${
  JSON.stringify(defaults.DEFAULT_BACKOFF).replaceAll(",", ", ").replaceAll(":", ": ")
},
        "startLimit": ${defaults.DEFAULT_START_LIMIT}                 unstable starts in a row before "failed"
      },
      "stop": {"signal": "TERM", "grace": ${defaults.DEFAULT_STOP_GRACE}},   then KILL to all its processes
      "stdio": "console",      console ("[id] " prefix) | {"file": PATH} | none
      "dependsOn": []          started once these are running, stopped before them
    }],
    "pod": {
      "stopGrace": ${defaults.DEFAULT_POD_STOP_GRACE},      the whole stop; then KILL to everything left
      "exitCode": {"from": "first-failure"},   or {"from": "container", "id": "web"}
      "endWhen": "all-ended"   all-ended | any-ended | {"ended": ["web"]}
    },
    "statusFile": "${defaults.DEFAULT_STATUS_FILE}"    replaced atomically on every change
  }

Signals: TERM, INT and PWR stop the pod gracefully (a second one changes
nothing); HUP, QUIT, TRAP, ABRT, USR1, USR2, ALRM, STKFLT, CONT, URG, XCPU,
XFSZ, VTALRM, PROF, WINCH, IO and SYS are forwarded to every running
container; TSTP, TTIN, TTOU and 32-64 (real-time) are ignored (logged). As the
PID 1 of a machine, Ctrl-Alt-Del arrives as INT.

Exit: the pod's exit code (see pod.exitCode) when not PID 1 or when PID 1 of a
PID namespace; as PID 1 of the machine (a VM) it syncs and powers off instead.
Exit codes of the init itself: ${EXIT_USAGE} bad command line or pod file, ${EXIT_RUNTIME} runtime
unavailable, ${EXIT_FATAL} unexpected error.
`;

function fail(message: string, code: number): number {
  Deno.stderr.writeSync(new TextEncoder().encode(`weft-init: ${message}\n`));
  return code;
}

/** Whether this process lives in the machine's first PID namespace (so that PID 1 is the machine's init). */
function inInitialPidNamespace(): boolean {
  try {
    // The kernel gives the initial PID namespace this fixed inode (PROC_PID_INIT_INO).
    return Deno.readLinkSync("/proc/self/ns/pid") === "pid:[4026531836]";
  } catch {
    // No /proc: only a machine's early init runs without it.
    return true;
  }
}

/**
 * What PID 1 owes the runtime before anything runs: the pseudo filesystems
 * that are absent (never stacked), and on a machine (not inside a PID
 * namespace, where the cgroup tree belongs to whoever made it) the cgroup v2
 * controllers enabled for child cgroups.
 */
function preparePid1(): void {
  const machine = inInitialPidNamespace();
  // mountPseudoFilesystems logs each mount and each failure itself.
  mountPseudoFilesystems({
    enableControllers: machine,
    filesystems: machine ? DEFAULT_PSEUDO_FILESYSTEMS : NAMESPACE_PSEUDO_FILESYSTEMS,
  });
  if (!machine) return;
  // Ctrl-Alt-Del then arrives as SIGINT: the same graceful stop, not an instant reboot.
  try {
    disableCtrlAltDel();
  } catch (error) {
    logger.warn("Ctrl-Alt-Del will reboot at once: {error}", { error });
  }
}

/** The exit of a failed load or preflight: 2 for the pod file, 3 for the runtime. */
function failed(error: unknown): number {
  if (error instanceof ConfigError) return fail(error.message, EXIT_USAGE);
  return fail((error as Error).message, EXIT_RUNTIME);
}

async function runPod(configFile: string): Promise<number> {
  if (isPid1()) preparePid1();
  let config: PodConfig;
  try {
    config = await loadConfig(configFile);
  } catch (error) {
    return failed(error);
  }
  let runtime: Runtime;
  let root: string;
  try {
    ({ runtime, root } = await preflight(config, { configFile }));
  } catch (error) {
    return failed(error);
  }
  using reaper = Reaper.start();
  logger.info("weft-init supervising as {mode} with runtime {runtime} (state root {root})", {
    mode: reaper.mode,
    runtime: runtime.name,
    root,
    pid: Deno.pid,
  });
  const supervisor = new Supervisor(config, { runtime, reaper, root });
  running = supervisor;
  try {
    const { exitCode } = await supervisor.run();
    return fatal ? EXIT_FATAL : exitCode;
  } finally {
    running = undefined;
  }
}

/**
 * Runs the command line `args` and resolves with the process exit code. Not
 * exported: the command's PID-1 duties (ignoring stop signals, surviving an
 * unhandled error, powering off at the end) live in the `import.meta.main`
 * block below, so a caller of this function alone would get a weft-init
 * without them. Tests and embedders run the module as a process instead.
 */
async function main(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        config: { type: "string", short: "c", default: defaults.DEFAULT_CONFIG_PATH },
        "log-level": { type: "string", default: "info" },
        "log-format": { type: "string", default: "text" },
        "exit-port": { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (error) {
    return fail(`${(error as Error).message} (see --help)`, EXIT_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    Deno.stdout.writeSync(new TextEncoder().encode(HELP));
    return 0;
  }
  if (values.version) {
    Deno.stdout.writeSync(new TextEncoder().encode(`weft-init ${packageConfig.version}\n`));
    return 0;
  }
  const level = values["log-level"] as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    return fail(
      `Invalid --log-level "${level}": expected one of ${LOG_LEVELS.join(", ")}`,
      EXIT_USAGE,
    );
  }
  const format = values["log-format"];
  if (format !== "text" && format !== "json") {
    return fail(`Invalid --log-format "${format}": expected text or json`, EXIT_USAGE);
  }
  if (values["exit-port"] !== undefined) {
    const port = Number(values["exit-port"]);
    if (values["exit-port"].trim() === "" || !Number.isInteger(port) || port < 0 || port > 0xffff) {
      return fail(
        `Invalid --exit-port "${
          values["exit-port"]
        }": expected an I/O port, 0 to 65535 (e.g. 0xf4)`,
        EXIT_USAGE,
      );
    }
    exitPort = port;
  }
  await setUpLogging(level, format);
  const [command = "run", ...rest] = positionals;
  switch (command) {
    case "schema":
      if (rest.length > 0) return fail("schema takes no argument", EXIT_USAGE);
      Deno.stdout.writeSync(
        new TextEncoder().encode(`${JSON.stringify(podConfigJsonSchema(), null, 2)}\n`),
      );
      return 0;
    case "validate": {
      if (rest.length !== 1) return fail("validate takes one argument: the pod file", EXIT_USAGE);
      try {
        const config = await loadConfig(rest[0]);
        const { runtime, binary, root } = await preflight(config, { configFile: rest[0] });
        const found = binary === undefined ? "" : ` (${binary})`;
        Deno.stdout.writeSync(
          new TextEncoder().encode(
            `${
              rest[0]
            }: valid, ${config.containers.length} container(s), runtime ${runtime.name}${found}, state root ${root}\n`,
          ),
        );
        return 0;
      } catch (error) {
        return failed(error);
      }
    }
    case "run":
      if (rest.length > 0) return fail(`run takes no argument, got "${rest[0]}"`, EXIT_USAGE);
      return await runPod(values.config);
    default:
      return fail(
        `Unknown command "${command}": expected run, validate or schema (see --help)`,
        EXIT_USAGE,
      );
  }
}

/**
 * Ends the process with `code`: as PID 1 of a machine, sync and power off
 * (PID 1 must never exit: the kernel would panic); as PID 1 of a PID
 * namespace, exit with the code, which reboot(2) there would lose (the
 * kernel ends such a namespace as if its init were killed by SIGINT); else
 * exit with the code.
 */
async function end(code: number): Promise<never> {
  if (isPid1() && inInitialPidNamespace()) {
    logger.info("weft-init finished with exit code {code}: powering off", { code });
    if (exitPort !== undefined) {
      // QEMU exits as soon as the port is written: sync first.
      sync();
      try {
        writeExitPort(code, { port: exitPort });
      } catch (error) {
        logger.error("Cannot write the exit code to I/O port {port}: {error}", {
          port: exitPort,
          error,
        });
      }
    }
    return await powerOff();
  }
  Deno.exit(code);
}

if (import.meta.main) {
  // Every signal as SIGNAL_TABLE says, from the start: none may end the
  // init before (or after) it supervises. TSTP, TTIN and TTOU: the init
  // itself is never stopped by terminal job control.
  using _signals = listenToSignals({
    stop(signal): void {
      if (running) return void running.stop(`received ${signal}`);
      logger.info("Received {signal} before the pod started: ending", { signal });
      // As a process killed by it would: 128 + its number.
      void end(128 + (SIGNAL_TABLE.find((entry) => entry.name === signal)?.signal ?? 0));
    },
    forward(signal): void {
      logger.info("Received {signal}: forwarding it to the running containers", { signal });
      if (running) void running.forward(signal);
    },
  });
  // An error nothing caught must not kill PID 1: log it and end in order.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    logger.fatal("Unhandled error: {error}", { error: event.reason });
    fatal = true;
    if (running) void running.stop("fatal error");
    else void end(EXIT_FATAL);
  });
  let code: number;
  try {
    code = await main(Deno.args);
  } catch (error) {
    logger.fatal("weft-init failed: {error}", { error });
    code = EXIT_FATAL;
  }
  await end(code);
}
