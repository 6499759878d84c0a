import assert from "node:assert/strict";
import {
  checkOptionChoice,
  checkPluginOptionNames,
  checkRuntimeOptions,
  OCI_CLI_OPTIONS_SCHEMA,
} from "./plugin_options.ts";
import type { RuntimePlugin } from "./registry.ts";
import { InvalidArgumentError } from "./errors.ts";

function refused(check: () => void, argument: string, message: string): void {
  assert.throws(check, (error: unknown) => {
    assert.ok(error instanceof InvalidArgumentError);
    assert.equal(error.argument, argument);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test("runtime options of the right shape pass, and unknown fields are left to the plugin", () => {
  checkRuntimeOptions({});
  checkRuntimeOptions({
    binary: "crun",
    root: "/run/r",
    logDir: "/run",
    debug: true,
    systemdCgroup: false,
    timeout: 1500,
    extraGlobalArgs: ["--x"],
    env: { A: "b" },
    cgroupManager: "anything",
  });
});

Deno.test("each shared runtime option is refused with its name and what was expected", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ binary: "" }, "binary", 'Invalid option binary "": expected a non-empty path or name'],
    [{ root: "run" }, "root", 'Invalid option root "run": expected an absolute path'],
    [{ logDir: "tmp" }, "logDir", 'Invalid option logDir "tmp": expected an absolute path'],
    [{ debug: "yes" }, "debug", 'Invalid option debug "yes": expected a boolean'],
    [{ systemdCgroup: 1 }, "systemdCgroup", "Invalid option systemdCgroup 1: expected a boolean"],
    [
      { timeout: 0 },
      "timeout",
      "Invalid option timeout 0: expected a positive number of milliseconds, at most 2147483647",
    ],
    [
      { timeout: 2 ** 31 },
      "timeout",
      "Invalid option timeout 2147483648: expected a positive number of milliseconds, at most 2147483647",
    ],
    [
      { root: "x".repeat(100_000) },
      "root",
      `Invalid option root "${"x".repeat(79)}... (100002 characters): expected an absolute path`,
    ],
    [
      { extraGlobalArgs: [1] },
      "extraGlobalArgs",
      "Invalid option extraGlobalArgs [1]: expected an array of strings",
    ],
    [{ env: { A: 1 } }, "env", 'Invalid option env {"A":1}: expected an object of string values'],
  ];
  for (const [options, field, message] of cases) {
    refused(() => checkRuntimeOptions(options), `options.${field}`, message);
  }
});

Deno.test("runtime options that are not an object are refused", () => {
  for (const options of [null, [], "crun"]) {
    assert.throws(
      () => checkRuntimeOptions(options as unknown as Record<string, unknown>),
      InvalidArgumentError,
    );
  }
});

Deno.test("an option choice accepts its choices and absence, and lists the choices when refused", () => {
  checkOptionChoice("rootless", undefined, [true, false, "auto"]);
  checkOptionChoice("rootless", false, [true, false, "auto"]);
  refused(
    () => checkOptionChoice("rootless", "yes", [true, false, "auto"]),
    "options.rootless",
    'Invalid option rootless "yes": expected one of true, false, "auto"',
  );
});

Deno.test("options a plugin does not declare are refused by name, inherited names included", () => {
  const plugin: RuntimePlugin = {
    name: "declared",
    apiVersion: 1,
    optionsSchema: OCI_CLI_OPTIONS_SCHEMA,
    create: () => {
      throw new Error("not used");
    },
    detect: () => Promise.resolve({ available: false }),
  };
  checkPluginOptionNames(plugin, { root: "/run/x", timeout: 5 });
  for (const key of ["nmae", "constructor", "toString", "__proto__"]) {
    const options = Object.fromEntries([[key, 1]]);
    refused(
      () => checkPluginOptionNames(plugin, options),
      `options.${key}`,
      `Unknown option ${key} of runtime "declared": it takes "binary", "root", "logDir", "debug", "systemdCgroup", "timeout", "extraGlobalArgs", "env"`,
    );
  }
  const bare = { ...plugin, optionsSchema: undefined };
  checkPluginOptionNames(bare, {});
  refused(
    () => checkPluginOptionNames(bare, { root: "/x" }),
    "options.root",
    'Unknown option root of runtime "declared": it declares no options (optionsSchema)',
  );
});
