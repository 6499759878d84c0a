import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { parseCommandLine, UsageError } from "./_command_line.ts";
import { DEFAULT_CONFIG_PATH } from "./config_defaults.ts";

const run = (file: string, extra: Record<string, unknown> = {}) => ({
  command: "run",
  file,
  logLevel: "info",
  logFormat: "text",
  exitPort: undefined,
  ...extra,
});

Deno.test("parseCommandLine: no argument runs the default pod file", () => {
  deepStrictEqual(parseCommandLine([]), run(DEFAULT_CONFIG_PATH));
  deepStrictEqual(parseCommandLine(["run"]), run(DEFAULT_CONFIG_PATH));
});

Deno.test("parseCommandLine: every spelling of an option's value", () => {
  for (
    const args of [
      ["--config", "p.json"],
      ["--config=p.json"],
      ["-c", "p.json"],
      ["-cp.json"],
      ["run", "-c", "p.json"],
      ["-c", "other.json", "--config", "p.json"], // the last one wins
    ]
  ) {
    deepStrictEqual(parseCommandLine(args), run("p.json"), args.join(" "));
  }
  deepStrictEqual(parseCommandLine(["--config=-odd.json"]), run("-odd.json"));
  deepStrictEqual(parseCommandLine(["--config="]), run(""));
  deepStrictEqual(
    parseCommandLine(["--log-level", "debug", "--log-format=json", "--exit-port", "0xf4"]),
    run(DEFAULT_CONFIG_PATH, { logLevel: "debug", logFormat: "json", exitPort: 0xf4 }),
  );
});

Deno.test("parseCommandLine: flags, grouped flags and the end of options", () => {
  deepStrictEqual(parseCommandLine(["--help"]), { command: "help" });
  deepStrictEqual(parseCommandLine(["-V"]), { command: "version" });
  deepStrictEqual(parseCommandLine(["-Vh"]), { command: "help" });
  deepStrictEqual(parseCommandLine(["validate", "--", "--pod.json"]), {
    ...run("--pod.json"),
    command: "validate",
  });
  deepStrictEqual(parseCommandLine(["schema"]), { ...run(""), command: "schema" });
});

Deno.test("parseCommandLine: each refused command line names the argument", () => {
  const refused: [string[], string][] = [
    [["--frobnicate"], 'Unknown option "--frobnicate" (see --help)'],
    [["-x"], 'Unknown option "-x" (see --help)'],
    [["-hx"], 'Unknown option "-x" (see --help)'],
    [["--config"], 'Option "--config" expects a value'],
    [["-c"], 'Option "-c" expects a value'],
    [["--config", "--log-level"], 'Option "--config" expects a value'],
    [["--help=yes"], 'Option "--help" takes no value (see --help)'],
    [["--log-level", "loud"], 'Invalid --log-level "loud": expected one of trace, debug'],
    [["--log-format=xml"], 'Invalid --log-format "xml": expected text or json'],
    [["--exit-port", "70000"], 'Invalid --exit-port "70000": expected an I/O port'],
    [["--exit-port", " "], 'Invalid --exit-port " "'],
    [["run", "extra"], 'run takes no argument, got "extra"'],
    [["validate"], "validate takes one argument: the pod file"],
    [["validate", "a", "b"], "validate takes one argument: the pod file"],
    [["schema", "x"], "schema takes no argument"],
    [["frobnicate"], 'Unknown command "frobnicate": expected run, validate or schema'],
  ];
  for (const [args, message] of refused) {
    throws(() => parseCommandLine(args), (error: unknown) => {
      strictEqual(error instanceof UsageError, true, args.join(" "));
      strictEqual((error as Error).message.startsWith(message), true, (error as Error).message);
      return true;
    });
  }
});
