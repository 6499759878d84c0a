import assert from "node:assert/strict";
import { hasExec, hasFeatures, hasList, hasPause, hasVersion } from "./capabilities.ts";
import { InvalidArgumentError } from "./errors.ts";
import { OciCliRuntime } from "./oci_cli_runtime.ts";
import type { Runtime } from "./runtime.ts";

const bare: Runtime = {
  name: "bare",
  create: () => Promise.resolve(),
  start: () => Promise.resolve(),
  state: () => Promise.resolve({ status: "", pid: 0 }),
  kill: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};

Deno.test("a runtime with only the five calls has none of the optional capabilities", () => {
  assert.deepEqual(
    [hasVersion(bare), hasFeatures(bare), hasList(bare), hasExec(bare), hasPause(bare)],
    [false, false, false, false, false],
  );
});

Deno.test("OciCliRuntime has every optional capability", () => {
  const runtime = new OciCliRuntime({ name: "runc" });
  assert.deepEqual(
    [
      hasVersion(runtime),
      hasFeatures(runtime),
      hasList(runtime),
      hasExec(runtime),
      hasPause(runtime),
    ],
    [true, true, true, true, true],
  );
});

Deno.test("pause without resume is not the pause capability", () => {
  const half = { ...bare, pause: () => Promise.resolve() } as Runtime;
  assert.equal(hasPause(half), false);
});

Deno.test("exec refuses bad arguments before the runtime runs, naming each", async () => {
  const runtime = new OciCliRuntime({ name: "none", binary: "/nonexistent/runtime" });
  const refused = async (run: () => Promise<unknown>, argument: string) =>
    await assert.rejects(run(), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, String(error));
      assert.equal(error.argument, argument);
      return true;
    });
  await refused(() => runtime.exec("web", []), "args");
  await refused(() => runtime.exec("web", ["sh", 1 as unknown as string]), "args");
  await refused(() => runtime.exec("web", ["sh"], { env: ["NOVALUE"] }), "options.env");
  await refused(() => runtime.exec("web", ["sh"], { cwd: "relative" }), "options.cwd");
  await refused(() => runtime.exec("-rf", ["sh"]), "id");
});
