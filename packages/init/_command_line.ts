// The command line of weft-init: its arguments, its help text and its exit
// codes. Parsing only: nothing here runs a pod.
import { parseArgs } from "node:util";
import type { LogLevel } from "@logtape/logtape";
import { LOG_LEVELS } from "./_logging.ts";
import * as defaults from "./config_defaults.ts";

/** Exit code of a bad command line or configuration. */
export const EXIT_USAGE = 2;
/** Exit code when the runtime cannot be loaded or selected. */
export const EXIT_RUNTIME = 3;
/** Exit code of an unexpected fatal error. */
export const EXIT_FATAL = 1;

export const HELP = `weft-init: a PID-1 supervisor for a pod of OCI containers

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
      "name": "auto",          crun, runc, youki, a plugin's name, or auto: the first
                               installed of crun, runc, youki, then other plugins
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
    "control": {               the control API (weft-ctl, @weft/control); on when present
      "socket": "/run/weft/control.sock",    Unix socket, mode 0600 (root only)
      "vsock": {"port": 1024},               opt-in; needs deno run --unstable-vsock
      "tcp": {"hostname": "0.0.0.0", "port": 7070},   opt-in; QEMU user networking only
      "logLines": 1000, "maxLineLength": 8192, "journal": 10000,
      "maxBodyBytes": 65536, "maxStreams": 64
    },
    "machine": {               only as a VM's PID 1 (weft.* kernel words override)
      "hostname": NAME,        the machine's hostname
      "openFiles": N,          RLIMIT_NOFILE (default fs.nr_open)
      "network": {"interface": "eth0", "address": "10.0.2.15/24",
                  "gateway": "10.0.2.2", "dns": ["10.0.2.3"]}   static IPv4
    },
    "statusFile": "${defaults.DEFAULT_STATUS_FILE}"    replaced atomically on every change
  }

Signals: TERM, INT and PWR stop the pod gracefully (a second one changes
nothing); HUP, QUIT, TRAP, ABRT, USR1, USR2, ALRM, STKFLT, CONT, URG, XCPU,
XFSZ, VTALRM, PROF, WINCH, IO and SYS are forwarded to every running
container (a burst of one signal makes at most two forwards per container,
as the kernel coalesces standard signals); TSTP, TTIN, TTOU and 32-64 (real-time) are ignored (logged). As the
PID 1 of a machine, Ctrl-Alt-Del arrives as INT.

Exit: the pod's exit code (see pod.exitCode) when not PID 1 or when PID 1 of a
PID namespace; as PID 1 of the machine (a VM) it syncs and powers off instead.
Exit codes of the init itself: ${EXIT_USAGE} bad command line or pod file, ${EXIT_RUNTIME} runtime
unavailable, ${EXIT_FATAL} unexpected error.

Profile: with WEFT_INIT_PROFILE=FILE in its environment, weft-init writes the
marks of its start path (ms from its time origin) to FILE as it exits
(tests/init_benchmark.ts prints them as a per-phase profile).
`;

/** A command line weft-init refuses; the message says what was expected. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What the command line asks for. */
export type Command =
  | { command: "help" }
  | { command: "version" }
  | {
    command: "run" | "validate" | "schema";
    /** `--config` for run, the file argument for validate. */
    file: string;
    logLevel: LogLevel;
    logFormat: "text" | "json";
    /** `--exit-port`: the I/O port the exit code is written to before a machine powers off. */
    exitPort?: number;
  };

/**
 * Parses weft-init's arguments.
 *
 * @throws {UsageError} naming the argument and what was expected.
 */
export function parseCommandLine(args: readonly string[]): Command {
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
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const logLevel = values["log-level"] as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(
      `Invalid --log-level "${logLevel}": expected one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  const logFormat = values["log-format"];
  if (logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`Invalid --log-format "${logFormat}": expected text or json`);
  }
  const exitPort = parseExitPort(values["exit-port"]);
  const common = { logLevel, logFormat, exitPort } as const;
  const [command = "run", ...rest] = positionals;
  switch (command) {
    case "schema":
      if (rest.length > 0) throw new UsageError("schema takes no argument");
      return { command, file: "", ...common };
    case "validate":
      if (rest.length !== 1) throw new UsageError("validate takes one argument: the pod file");
      return { command, file: rest[0], ...common };
    case "run":
      if (rest.length > 0) throw new UsageError(`run takes no argument, got "${rest[0]}"`);
      return { command, file: values.config, ...common };
    default:
      throw new UsageError(
        `Unknown command "${command}": expected run, validate or schema (see --help)`,
      );
  }
}

function parseExitPort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (text.trim() === "" || !Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new UsageError(
      `Invalid --exit-port "${text}": expected an I/O port, 0 to 65535 (e.g. 0xf4)`,
    );
  }
  return port;
}
