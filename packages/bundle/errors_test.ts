import assert from "node:assert/strict";
import { InvalidArgumentError } from "@weft/runtime";
import { ContainerSpecError } from "./errors.ts";

const spec = { field: "rootfs", expected: "an absolute path", value: "web" };

/** Loads a second copy of errors.ts from a file of its own, as a bundled host and a plugin each carry one. */
async function secondCopy(): Promise<typeof import("./errors.ts") & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "weft-bundle-errors-copy-" });
  const source = await Deno.readTextFile(new URL("errors.ts", import.meta.url));
  // The copy lies outside the workspace: it finds @weft/runtime by URL.
  const runtime = import.meta.resolve("@weft/runtime");
  await Deno.writeTextFile(`${dir}/errors.ts`, source.replace('"@weft/runtime"', `"${runtime}"`));
  return {
    ...await import(`file://${dir}/errors.ts`),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("a ContainerSpecError from another copy of the module passes instanceof", async () => {
  await using copy = await secondCopy();
  assert.notEqual(copy.ContainerSpecError, ContainerSpecError, "a real second copy");
  const theirs = new copy.ContainerSpecError(spec);
  assert.ok(theirs instanceof ContainerSpecError);
  assert.ok(theirs instanceof InvalidArgumentError);
  assert.ok(new ContainerSpecError(spec) instanceof copy.ContainerSpecError);
});

Deno.test("ContainerSpecError is recognized by its brand, not by its prototype chain", () => {
  const branded = Object.create({ [Symbol.for("@weft/runtime/ContainerSpecError")]: true });
  assert.ok(branded instanceof ContainerSpecError);
  assert.ok(
    !(new InvalidArgumentError("x", { argument: "a", value: 1 }) instanceof ContainerSpecError),
  );
  assert.ok(!(new TypeError("x") instanceof ContainerSpecError));
  for (const other of [null, "rootfs", { field: "rootfs" }] as unknown[]) {
    assert.ok(!(other instanceof ContainerSpecError));
  }
});

Deno.test("a subclass that brands nothing is matched by its prototype chain", () => {
  class MySpecError extends ContainerSpecError {}
  assert.ok(new MySpecError(spec) instanceof MySpecError);
  assert.ok(new MySpecError(spec) instanceof ContainerSpecError);
  assert.ok(!(new ContainerSpecError(spec) instanceof MySpecError));
});
