import assert from "node:assert/strict";
import {
  getRuntimePlugin,
  listRuntimePlugins,
  NoRuntimeAvailableError,
  PluginConflictError,
  PluginNotFoundError,
  PluginVersionError,
  registerRuntime,
  type Runtime,
  type RuntimePlugin,
  selectRuntime,
  unregisterRuntime,
} from "./mod.ts";

function fakeRuntime(name: string): Runtime {
  const fail = (): Promise<never> => Promise.reject(new Error("not used"));
  return { name, create: fail, start: fail, state: fail, kill: fail, delete: fail };
}

function plugin(name: string, available: boolean, apiVersion = 1): RuntimePlugin {
  return {
    name,
    apiVersion,
    create: () => fakeRuntime(name),
    detect: () =>
      Promise.resolve(available ? { available } : { available, reason: `${name} is absent` }),
  };
}

/** Registers plugins for one test and removes them afterwards. */
function using(...plugins: RuntimePlugin[]): Disposable {
  for (const p of plugins) registerRuntime(p);
  return { [Symbol.dispose]: () => plugins.forEach((p) => unregisterRuntime(p.name)) };
}

Deno.test("importing a plugin module registers its runtime", async () => {
  assert.equal(listRuntimePlugins().some((p) => p.name === "self-registering"), false);
  await import("./testdata/self_registering_plugin.ts");
  try {
    assert.equal(getRuntimePlugin("self-registering").name, "self-registering");
  } finally {
    unregisterRuntime("self-registering");
  }
});

Deno.test("a second plugin with a registered name is refused", () => {
  using _ = using(plugin("dup", true));
  assert.throws(() => registerRuntime(plugin("dup", true)), (error) => {
    assert.ok(error instanceof PluginConflictError);
    assert.equal(
      error.message,
      'Cannot register runtime plugin "dup": a plugin of that name is already registered',
    );
    return true;
  });
});

Deno.test("an unknown runtime name is refused with the list of registered ones", async () => {
  using _ = using(plugin("alpha", true), plugin("beta", false));
  const names = listRuntimePlugins().map((p) => `"${p.name}"`).join(", ");
  assert.match(names, /"alpha", "beta"/);
  await assert.rejects(selectRuntime("gamma"), (error) => {
    assert.ok(error instanceof PluginNotFoundError);
    assert.equal(error.message, `Unknown runtime "gamma": registered runtimes are ${names}`);
    return true;
  });
});

Deno.test("a plugin for another interface major version is refused", () => {
  assert.throws(() => registerRuntime(plugin("future", true, 2)), (error) => {
    assert.ok(error instanceof PluginVersionError);
    assert.equal(
      error.message,
      'Cannot register runtime plugin "future": it implements interface version 2, this registry is version 1',
    );
    return true;
  });
  assert.equal(listRuntimePlugins().some((p) => p.name === "future"), false);
});

Deno.test("two copies of the module, loaded under two URLs, share one registry", async () => {
  // A second copy of the package's files under another directory is another
  // module graph, as when two versions of the package are installed.
  const copy = await Deno.makeTempDir();
  try {
    for (
      const file of ["registry.ts", "plugin_errors.ts", "error_brand.ts", "runtime.ts", "stdio.ts"]
    ) {
      await Deno.copyFile(new URL(file, import.meta.url), `${copy}/${file}`);
    }
    const other: typeof import("./registry.ts") = await import(`file://${copy}/registry.ts`);
    assert.notEqual(other.registerRuntime, registerRuntime);
    other.registerRuntime(plugin("from-copy", true));
    try {
      assert.equal(getRuntimePlugin("from-copy").name, "from-copy");
      assert.throws(() => registerRuntime(plugin("from-copy", true)), PluginConflictError);
    } finally {
      unregisterRuntime("from-copy");
    }
    // The copy's error is this copy's class too.
    assert.throws(
      () => other.getRuntimePlugin("from-copy"),
      (error: unknown) => error instanceof PluginNotFoundError,
    );
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

Deno.test("auto picks the first available plugin in preference order", async () => {
  using _ = using(plugin("p-one", false), plugin("p-two", true), plugin("p-three", true));
  const preference = ["p-one", "p-three", "p-two"];
  assert.equal((await selectRuntime("auto", { preference })).name, "p-three");
  assert.equal((await selectRuntime("auto", { preference: ["p-one", "p-two"] })).name, "p-two");
});

Deno.test("auto says what it tried when no runtime is available", async () => {
  const others = listRuntimePlugins();
  others.forEach((p) => unregisterRuntime(p.name));
  try {
    using _ = using(plugin("p-one", false), plugin("p-two", false));
    await assert.rejects(selectRuntime("auto", { preference: ["p-two"] }), (error) => {
      assert.ok(error instanceof NoRuntimeAvailableError);
      assert.equal(
        error.message,
        "No container runtime is available: tried p-two (p-two is absent), p-one (p-one is absent)",
      );
      assert.deepEqual(error.tried.map((t) => t.name), ["p-two", "p-one"]);
      return true;
    });
  } finally {
    others.forEach((p) => registerRuntime(p));
  }
});

Deno.test("selecting an unavailable runtime by name says why", async () => {
  using _ = using(plugin("p-absent", false));
  await assert.rejects(
    selectRuntime("p-absent"),
    (error) => {
      assert.ok(error instanceof NoRuntimeAvailableError);
      assert.equal(error.message, 'Runtime "p-absent" is not available: p-absent is absent');
      return true;
    },
  );
});
