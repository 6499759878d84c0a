import assert from "node:assert/strict";
import {
  ContainerExistsError,
  ContainerNotFoundError,
  ContainerNotRunningError,
} from "./container_errors.ts";
import {
  InvalidArgumentError,
  RuntimeCommandError,
  RuntimeError,
  RuntimeTimeoutError,
} from "./errors.ts";
import { PluginError, PluginNotFoundError } from "./plugin_errors.ts";

/** Loads a second copy of the error modules, from files of their own, as a bundled host and a plugin would. */
async function secondCopy(): Promise<
  & {
    errors: typeof import("./errors.ts");
    container: typeof import("./container_errors.ts");
    plugin: typeof import("./plugin_errors.ts");
  }
  & AsyncDisposable
> {
  const dir = await Deno.makeTempDir({ prefix: "weft-errors-copy-" });
  for (const file of ["errors.ts", "container_errors.ts", "plugin_errors.ts", "error_brand.ts"]) {
    await Deno.copyFile(new URL(file, import.meta.url), `${dir}/${file}`);
  }
  return {
    errors: await import(`file://${dir}/errors.ts`),
    container: await import(`file://${dir}/container_errors.ts`),
    plugin: await import(`file://${dir}/plugin_errors.ts`),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("errors from another copy of @weft/runtime pass instanceof for their class and its parents only", async () => {
  await using copy = await secondCopy();
  assert.notEqual(
    copy.container.ContainerNotFoundError,
    ContainerNotFoundError,
    "a real second copy",
  );
  // The fields of a failed `runc SUBCOMMAND x`.
  const failed = (subcommand: string, runtimeMessage: string) => ({
    id: "x",
    argv: ["runc", subcommand, "x"],
    code: 1,
    runtimeMessage,
  });
  const notFound = new copy.container.ContainerNotFoundError(
    'Cannot start container "x"',
    failed("start", "container does not exist"),
  );
  assert.ok(notFound instanceof ContainerNotFoundError);
  assert.ok(notFound instanceof RuntimeCommandError);
  assert.ok(notFound instanceof RuntimeError);
  assert.ok(notFound instanceof Error);
  assert.ok(!(notFound instanceof ContainerNotRunningError));
  assert.ok(!(notFound instanceof RuntimeTimeoutError));
  assert.ok(!(notFound instanceof PluginError));
  assert.ok(!(notFound instanceof ContainerExistsError));

  const exists = new copy.container.ContainerExistsError(
    'Cannot create container "x"',
    failed("create", "container with given ID already exists"),
  );
  assert.ok(exists instanceof ContainerExistsError);
  assert.ok(exists instanceof RuntimeCommandError);

  const invalid = new copy.errors.InvalidArgumentError('Invalid option "x"', {
    argument: "options.x",
    value: 1,
  });
  assert.ok(invalid instanceof InvalidArgumentError);
  assert.ok(invalid instanceof TypeError);
  assert.ok(!(invalid instanceof RuntimeError));

  const plugin = new copy.plugin.PluginNotFoundError('Unknown runtime "x"', { plugin: "x" });
  assert.ok(plugin instanceof PluginNotFoundError);
  assert.ok(plugin instanceof PluginError);
  assert.ok(!(plugin instanceof RuntimeError));

  // And the other way round: this copy's errors are the other copy's too.
  assert.ok(
    new ContainerNotRunningError("x", {
      id: "x",
      argv: ["runc", "kill", "x"],
      code: 1,
      runtimeMessage: "not running",
    }) instanceof copy.errors.RuntimeCommandError,
  );
});

Deno.test("instanceof stays false for look-alikes and plain values", () => {
  const lookAlike = Object.assign(new Error("x"), { name: "ContainerNotFoundError" });
  assert.ok(!(lookAlike instanceof ContainerNotFoundError));
  for (const value of [null, undefined, 1, "ContainerNotFoundError", {}]) {
    assert.ok(!(value instanceof RuntimeError));
  }
});

Deno.test("a caller's own subclass keeps ordinary instanceof", () => {
  class MyError extends RuntimeError {}
  const mine = new MyError("x");
  assert.ok(mine instanceof MyError);
  assert.ok(mine instanceof RuntimeError);
  assert.ok(!(new RuntimeError("x") instanceof MyError));
});

Deno.test("every error class @weft/runtime exports carries its own brand", async () => {
  const exports = await import("./mod.ts");
  const classes = Object.entries(exports).filter((entry): entry is [string, typeof Error] =>
    typeof entry[1] === "function" && entry[1].prototype instanceof Error
  );
  assert.ok(classes.length > 10, "found the error classes");
  for (const [name, ctor] of classes) {
    assert.ok(
      Object.hasOwn(ctor.prototype, Symbol.for(`@weft/runtime/${name}`)),
      `${name} is not branded: instanceof fails across copies of @weft/runtime`,
    );
  }
});
