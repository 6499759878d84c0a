/**
 * `weft-ctl`: the command line of weft-init's control API. It exports
 * nothing: it is the program. `weft-ctl --help` documents it.
 *
 * @example
 * ```sh
 * deno run -A jsr:@weft/control/cli --socket /run/weft/control.sock status
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ControlClient } from "./client.ts";
import { ControlError, ControlTimeoutError, ControlUnreachableError } from "./client_errors.ts";
import { eventLine, healthText, statusTable, table } from "./_format.ts";
import type { ControlTransport } from "./listen.ts";
import { DEFAULT_CONTROL_SOCKET } from "./serve_control.ts";

const HELP = `weft-ctl: drive a weft-init pod through its control API

Usage: weft-ctl [where] [--json] [--timeout MS] COMMAND

Where (one; default --socket ${DEFAULT_CONTROL_SOCKET}):
  --socket PATH        the init's Unix socket (root only, mode 0600)
  --vsock CID:PORT     a micro-VM's vsock port (run with --unstable-vsock)
  --tcp HOST:PORT      a TCP endpoint (QEMU user networking hostfwd to 127.0.0.1)

Commands:
  health                       alive, version, uptime, runtime
  status                       the pod and its containers
  status ID                    one container and its exit history
  events [--follow] [--after N]  the events after cursor N (default 0 = all kept)
  logs ID [--follow] [--tail N]  a container's last lines (stdout lines to stdout,
                               stderr lines to stderr)
  kill ID SIG                  send SIG (TERM, HUP, 9, RTMIN+3...) to a container's init
  restart ID                   stop the container and start it again now
  stop ID                      stop one container for good; the pod keeps running
  stop                         stop the whole pod
  exec [-e K=V]... [-w DIR] [-i] [--exec-timeout MS] ID -- CMD [ARG...]
                               run CMD in a running container; weft-ctl exits
                               with its code. -i sends weft-ctl's stdin to it

Options:
  --json               machine output: the API's JSON (NDJSON for streams)
  --timeout MS         how long to wait for an answer (default 30000)
  -h, --help           this text

Exit: 0, or exec's code; 1 the init refused the call (the message says why);
2 bad command line; 3 nothing listens at the address; 4 no answer in time.
`;

const encoder = new TextEncoder();

function out(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text));
}

function err(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text));
}

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

function positiveInt(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text)) {
    throw new UsageError(`Invalid ${name} "${text}": expected an integer`);
  }
  return Number(text);
}

function address(values: { socket?: string; vsock?: string; tcp?: string }): ControlTransport {
  const given = [values.socket, values.vsock, values.tcp].filter((v) => v !== undefined);
  if (given.length > 1) throw new UsageError("Give one of --socket, --vsock and --tcp");
  if (values.vsock !== undefined) {
    const match = /^([0-9]+):([0-9]+)$/.exec(values.vsock);
    if (!match) throw new UsageError(`Invalid --vsock "${values.vsock}": expected CID:PORT`);
    return { transport: "vsock", cid: Number(match[1]), port: Number(match[2]) };
  }
  if (values.tcp !== undefined) {
    const match = /^(.+):([0-9]+)$/.exec(values.tcp);
    if (!match) throw new UsageError(`Invalid --tcp "${values.tcp}": expected HOST:PORT`);
    return { transport: "tcp", hostname: match[1], port: Number(match[2]) };
  }
  return { transport: "unix", path: values.socket ?? DEFAULT_CONTROL_SOCKET };
}

interface Parsed {
  values: {
    socket?: string;
    vsock?: string;
    tcp?: string;
    json?: boolean;
    timeout?: string;
    follow?: boolean;
    after?: string;
    tail?: string;
    env?: string[];
    cwd?: string;
    stdin?: boolean;
    "exec-timeout"?: string;
    help?: boolean;
  };
  positionals: string[];
  /** The words after `--`: exec's command. */
  command: string[];
}

function parse(args: string[]): Parsed {
  const dash = args.indexOf("--");
  const { values, positionals } = parseArgs({
    args: dash === -1 ? args : args.slice(0, dash),
    allowPositionals: true,
    options: {
      socket: { type: "string" },
      vsock: { type: "string" },
      tcp: { type: "string" },
      json: { type: "boolean" },
      timeout: { type: "string" },
      follow: { type: "boolean", short: "f" },
      after: { type: "string" },
      tail: { type: "string" },
      env: { type: "string", short: "e", multiple: true },
      cwd: { type: "string", short: "w" },
      stdin: { type: "boolean", short: "i" },
      "exec-timeout": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  return { values, positionals, command: dash === -1 ? [] : args.slice(dash + 1) };
}

async function run(args: string[]): Promise<number> {
  const { values, positionals, command } = parse(args);
  if (values.help) {
    out(HELP);
    return 0;
  }
  const [verb, ...rest] = positionals;
  const arity = (min: number, max: number, usage: string): void => {
    if (rest.length < min || rest.length > max) throw new UsageError(`Usage: weft-ctl ${usage}`);
  };
  const timeout = positiveInt("--timeout", values.timeout) ?? 30_000;
  using client = new ControlClient(address(values), { timeout });
  const json = values.json === true;
  const show = (value: unknown, human: () => string): void =>
    out(json ? `${JSON.stringify(value)}\n` : human());
  switch (verb) {
    case "health": {
      arity(0, 0, "health");
      const health = await client.health();
      show(health, () => healthText(health));
      return 0;
    }
    case "status": {
      arity(0, 1, "status [ID]");
      if (rest.length === 0) {
        const status = await client.status();
        show(status, () => statusTable(status));
        return 0;
      }
      const record = await client.container(rest[0]);
      show(
        record,
        () =>
          `${record.id}: ${record.state}, pid ${
            record.pid ?? "-"
          }, ${record.restartCount} restart(s)${record.error ? `, error: ${record.error}` : ""}\n` +
          (record.exits.length === 0 ? "no exit yet\n" : table([
            ["AT", "STATUS", "CODE", "SIGNAL", "RESTARTS", "RAN MS"],
            ...record.exits.map((
              e,
            ) => [
              e.at,
              String(e.status),
              String(e.code ?? "-"),
              e.signal ?? "-",
              String(e.restartCount),
              String(e.ranFor),
            ]),
          ])),
      );
      return 0;
    }
    case "events": {
      arity(0, 0, "events [--follow] [--after N]");
      const after = positiveInt("--after", values.after) ?? 0;
      for await (const frame of client.events({ after, follow: values.follow })) {
        show(frame, () => eventLine(frame));
      }
      return 0;
    }
    case "logs": {
      arity(1, 1, "logs ID [--follow] [--tail N]");
      const tail = positiveInt("--tail", values.tail);
      for await (const frame of client.logs(rest[0], { tail, follow: values.follow })) {
        if (json) out(`${JSON.stringify(frame)}\n`);
        else if ("gap" in frame) {
          err(`(lines ${frame.gap.from}-${frame.gap.to} were overwritten)\n`);
        } else (frame.stream === "stdout" ? out : err)(`${frame.line}\n`);
      }
      return 0;
    }
    case "kill":
      arity(2, 2, "kill ID SIG");
      await client.signal(rest[0], rest[1]);
      show({ ok: true }, () => "");
      return 0;
    case "restart":
      arity(1, 1, "restart ID");
      await client.restart(rest[0]);
      show({ ok: true }, () => "");
      return 0;
    case "stop":
      arity(0, 1, "stop [ID]");
      if (rest.length === 1) await client.stopContainer(rest[0]);
      else await client.stopPod("weft-ctl stop");
      show({ ok: true }, () => rest.length === 1 ? "" : "pod stopping\n");
      return 0;
    case "exec": {
      arity(1, 1, "exec [-e K=V]... [-w DIR] [-i] ID -- CMD [ARG...]");
      if (command.length === 0) throw new UsageError("exec needs a command after --");
      const stdin = values.stdin ? await new Response(Deno.stdin.readable).text() : undefined;
      const result = await client.exec(rest[0], command, {
        ...(values.env ? { env: values.env } : {}),
        ...(values.cwd ? { cwd: values.cwd } : {}),
        ...(stdin === undefined ? {} : { stdin }),
        ...(values["exec-timeout"]
          ? { timeout: positiveInt("--exec-timeout", values["exec-timeout"]) }
          : {}),
        onOutput: json ? undefined : (stream, text) => (stream === "stdout" ? out : err)(text),
      });
      if (json) out(`${JSON.stringify(result)}\n`);
      return result.code;
    }
    case undefined:
      throw new UsageError("No command given (see --help)");
    default:
      throw new UsageError(`Unknown command "${verb}" (see --help)`);
  }
}

async function main(args: string[]): Promise<number> {
  try {
    return await run(args);
  } catch (error) {
    const message = (error as Error).message;
    if (
      error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      err(`weft-ctl: ${message}\n`);
      return 2;
    }
    if (error instanceof ControlError) {
      err(`weft-ctl: ${message}\n`);
      return 1;
    }
    if (error instanceof ControlUnreachableError) {
      err(
        `weft-ctl: ${message} (is weft-init running with a control section, and is this the right address?)\n`,
      );
      return 3;
    }
    if (error instanceof ControlTimeoutError) {
      err(`weft-ctl: ${message}\n`);
      return 4;
    }
    throw error;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
