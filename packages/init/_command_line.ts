// The command line of weft-init: its arguments, its help text and its exit
// codes. Parsing only: nothing here runs a pod.
//
// The parser is our own, not node:util's parseArgs: importing node:util makes
// Deno load its Node compatibility layer (7 to 10 ms, measured) before the
// init's first line runs, for six options (see run_options.ts).
import type { LogLevel } from "@logtape/logtape";
import { LOG_LEVELS } from "./_logging.ts";
import * as defaults from "./config_defaults.ts";
import { INIT_V8_FLAGS } from "./run_options.ts";

/** Exit code of a bad command line or configuration. */
export const EXIT_USAGE = 2;
/** Exit code when the runtime cannot be loaded or selected. */
export const EXIT_RUNTIME = 3;
/** Exit code of an unexpected fatal error. */
export const EXIT_FATAL = 1;
/** Exit code when the control API cannot listen (its socket path taken, its port in use). */
export const EXIT_CONTROL = 4;

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
unavailable, ${EXIT_CONTROL} control API cannot listen (socket path taken, port in
use; before any container starts), ${EXIT_FATAL} unexpected error.

Deno: images run weft-init as
  deno run -A --v8-flags=${INIT_V8_FLAGS.join(",")} weft-init.js ...
(less memory, no slower start; add --unstable-vsock for control.vsock).

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

/** The options weft-init takes: long name, short letter, whether it takes a value. */
const OPTIONS = [
  { name: "config", short: "c", value: true },
  { name: "log-level", value: true },
  { name: "log-format", value: true },
  { name: "exit-port", value: true },
  { name: "help", short: "h", value: false },
  { name: "version", short: "V", value: false },
] as const;

type OptionName = typeof OPTIONS[number]["name"];

/**
 * Splits the arguments into options and positionals, as getopt_long would:
 * `--name value`, `--name=value`, `-c value`, `-cvalue`, grouped flags
 * (`-hV`), `--` ending the options; the last of a repeated option wins.
 */
function splitArguments(
  args: readonly string[],
): { values: Partial<Record<OptionName, string | true>>; positionals: string[] } {
  const values: Partial<Record<OptionName, string | true>> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg[0] !== "-") {
      positionals.push(arg);
      continue;
    }
    // Each element: the option as written, its definition, and an inline value if any.
    const found: [string, typeof OPTIONS[number], string | undefined][] = [];
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
      const option = OPTIONS.find((o) => o.name === name);
      if (option === undefined) throw new UsageError(`Unknown option "--${name}" (see --help)`);
      found.push([`--${name}`, option, equals < 0 ? undefined : arg.slice(equals + 1)]);
    } else {
      for (let j = 1; j < arg.length; j++) {
        const option = OPTIONS.find((o) => "short" in o && o.short === arg[j]);
        if (option === undefined) throw new UsageError(`Unknown option "-${arg[j]}" (see --help)`);
        const rest = arg.slice(j + 1);
        found.push([`-${arg[j]}`, option, option.value && rest !== "" ? rest : undefined]);
        if (option.value) break;
      }
    }
    for (const [written, option, inline] of found) {
      if (!option.value) {
        if (inline !== undefined) {
          throw new UsageError(`Option "${written}" takes no value (see --help)`);
        }
        values[option.name] = true;
        continue;
      }
      if (inline !== undefined) {
        values[option.name] = inline;
        continue;
      }
      const next = args[i + 1];
      // A value that looks like an option is most likely a forgotten value.
      if (next === undefined || (next.startsWith("-") && next !== "-")) {
        throw new UsageError(
          `Option "${written}" expects a value (write ${written}=VALUE for one starting with "-")`,
        );
      }
      values[option.name] = next;
      i++;
    }
  }
  return { values, positionals };
}

/**
 * Parses weft-init's arguments.
 *
 * @throws {UsageError} naming the argument and what was expected.
 */
export function parseCommandLine(args: readonly string[]): Command {
  const { values, positionals } = splitArguments(args);
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const logLevel = (values["log-level"] ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(
      `Invalid --log-level "${logLevel}": expected one of ${LOG_LEVELS.join(", ")}`,
    );
  }
  const logFormat = values["log-format"] ?? "text";
  if (logFormat !== "text" && logFormat !== "json") {
    throw new UsageError(`Invalid --log-format "${logFormat}": expected text or json`);
  }
  const exitPort = parseExitPort(values["exit-port"] as string | undefined);
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
      return {
        command,
        file: (values.config as string | undefined) ?? defaults.DEFAULT_CONFIG_PATH,
        ...common,
      };
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
