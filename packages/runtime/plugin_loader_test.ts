import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import {
  InvalidArgumentError,
  loadRuntimePlugins,
  PluginConflictError,
  PluginLoadError,
  PluginVersionError,
  registerRuntime,
  type Runtime,
  unregisterRuntime,
} from "./mod.ts";

const RUNTIME_MOD = new URL("./mod.ts", import.meta.url).href;

// A plugin module's source: registers a runtime called `name`.
function pluginSource(name: string, apiVersion = 1): string {
  return `import { registerRuntime } from ${JSON.stringify(RUNTIME_MOD)};
export const plugin = {
  name: ${JSON.stringify(name)},
  apiVersion: ${apiVersion},
  create() { throw new Error("not a runtime"); },
  detect: () => Promise.resolve({ available: false, reason: "a test plugin" }),
};
registerRuntime(plugin);
`;
}

/** A directory with a config file and plugin modules, written for one test. */
async function withPlugins(
  files: Record<string, string>,
  fn: (dir: string, base: URL) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weft-plugin-loader-" });
  try {
    await Deno.mkdir(`${dir}/plugins`);
    for (const [name, source] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/plugins/${name}`, source);
    }
    await Deno.writeTextFile(`${dir}/weft.json`, "{}");
    await fn(dir, pathToFileURL(`${dir}/weft.json`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Loads `specifier` and checks the PluginLoadError's message line by line. */
async function assertLoadError(
  specifier: string,
  base: URL,
  expected: string | RegExp,
): Promise<PluginLoadError> {
  let caught: unknown;
  try {
    await loadRuntimePlugins([specifier], { base });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof PluginLoadError, `expected a PluginLoadError, got ${caught}`);
  assert.equal(caught.name, "PluginLoadError");
  assert.equal(caught.plugin, specifier);
  if (typeof expected === "string") assert.equal(caught.message, expected);
  else assert.match(caught.message, expected);
  return caught;
}

Deno.test("a missing plugin file gives an error naming the specifier and its resolved path", async () => {
  await withPlugins({}, async (dir, base) => {
    const url = pathToFileURL(`${dir}/plugins/missing.ts`).href;
    const error = await assertLoadError(
      "./plugins/missing.ts",
      base,
      `Cannot load runtime plugin "./plugins/missing.ts" (${url}): the module does not exist (Module not found "${url}")`,
    );
    assert.ok(error.cause instanceof TypeError);
  });
});

Deno.test("a plugin that does not parse gives an error naming the specifier and the syntax error", async () => {
  await withPlugins({ "broken.ts": "export const = ;\n" }, async (dir, base) => {
    const path = `${dir}/plugins/broken.ts`;
    const error = await assertLoadError(path, base, /\n {2}\|\n1 \| export const = ;\n/);
    assert.equal(
      error.message.split("\n")[0],
      `Cannot load runtime plugin "${path}" (${
        pathToFileURL(path).href
      }): the module does not parse: SyntaxError: Unexpected token \`=\`. Expected yield, an identifier, [ or {`,
    );
  });
});

Deno.test("a plugin that throws while loading gives an error naming the specifier and what it threw", async () => {
  await withPlugins(
    { "throws.ts": 'throw new RangeError("no runtime here");\n' },
    async (dir, base) => {
      const url = pathToFileURL(`${dir}/plugins/throws.ts`).href;
      const error = await assertLoadError(
        url,
        base,
        `Cannot load runtime plugin "${url}" (${url}): the module threw while loading: RangeError: no runtime here`,
      );
      assert.ok(error.cause instanceof RangeError);
    },
  );
});

Deno.test("a plugin that registers nothing gives an error naming the specifier", async () => {
  await withPlugins({ "empty.ts": "export const nothing = 1;\n" }, async (dir, base) => {
    const url = pathToFileURL(`${dir}/plugins/empty.ts`).href;
    await assertLoadError(
      "./plugins/empty.ts",
      base,
      `Cannot load runtime plugin "./plugins/empty.ts" (${url}): it registered no runtime (call registerRuntime() at the top level of the module)`,
    );
  });
});

Deno.test("a plugin of another interface version gives an error naming the specifier and both versions", async () => {
  await withPlugins({ "v2.ts": pluginSource("weft-loader-v2", 2) }, async (dir, base) => {
    const url = pathToFileURL(`${dir}/plugins/v2.ts`).href;
    const error = await assertLoadError(
      "./plugins/v2.ts",
      base,
      `Cannot load runtime plugin "./plugins/v2.ts" (${url}): Cannot register runtime plugin "weft-loader-v2": it implements interface version 2, this registry is version 1`,
    );
    assert.ok(error.cause instanceof PluginVersionError);
    assert.equal(error.cause.apiVersion, 2);
  });
});

Deno.test("a plugin built on another major version of @weft/runtime is reported as such, not as registering nothing", async () => {
  // What a copy of @weft/runtime 2.x does on registerRuntime(): its registry
  // lives in the v2 slot.
  const source = `const slot = Symbol.for("@weft/runtime/registry/v2");
(globalThis[slot] ??= new Map()).set("weft-loader-future", { name: "weft-loader-future", apiVersion: 2 });
`;
  await withPlugins({ "future.ts": source }, async (dir, base) => {
    const url = pathToFileURL(`${dir}/plugins/future.ts`).href;
    try {
      const error = await assertLoadError(
        "./plugins/future.ts",
        base,
        `Cannot load runtime plugin "./plugins/future.ts" (${url}): it registered "weft-loader-future" with interface version 2, this loader is version 1 (it imports another major version of @weft/runtime)`,
      );
      assert.ok(error.cause instanceof PluginVersionError);
      assert.equal(error.cause.apiVersion, 2);
    } finally {
      delete (globalThis as unknown as Record<symbol, unknown>)[
        Symbol.for("@weft/runtime/registry/v2")
      ];
    }
  });
});

Deno.test("a plugin whose name is taken gives an error naming the specifier and the name", async () => {
  const taken = {
    name: "weft-loader-taken",
    apiVersion: 1,
    create: (): Runtime => {
      throw new Error("not a runtime");
    },
    detect: () => Promise.resolve({ available: false }),
  };
  registerRuntime(taken);
  try {
    await withPlugins({ "dup.ts": pluginSource("weft-loader-taken") }, async (dir, base) => {
      const url = pathToFileURL(`${dir}/plugins/dup.ts`).href;
      const error = await assertLoadError(
        "./plugins/dup.ts",
        base,
        `Cannot load runtime plugin "./plugins/dup.ts" (${url}): Cannot register runtime plugin "weft-loader-taken": a plugin of that name is already registered`,
      );
      assert.ok(error.cause instanceof PluginConflictError);
    });
  } finally {
    unregisterRuntime("weft-loader-taken");
  }
});

Deno.test("plugins load from paths relative to the config, absolute paths and file URLs, once each", async () => {
  const files = {
    "a.ts": pluginSource("weft-loader-a"),
    "b.ts": pluginSource("weft-loader-b"),
    "c.ts": pluginSource("weft-loader-c"),
  };
  await withPlugins(files, async (dir, base) => {
    try {
      const specifiers = [
        "./plugins/a.ts",
        `${dir}/plugins/b.ts`,
        pathToFileURL(`${dir}/plugins/c.ts`).href,
      ];
      assert.deepEqual(await loadRuntimePlugins(specifiers, { base }), [
        "weft-loader-a",
        "weft-loader-b",
        "weft-loader-c",
      ]);
      // A second load is not a "registered nothing" error: the module ran once.
      assert.deepEqual(await loadRuntimePlugins(["./plugins/a.ts"], { base }), ["weft-loader-a"]);
    } finally {
      for (const name of ["weft-loader-a", "weft-loader-b", "weft-loader-c"]) {
        unregisterRuntime(name);
      }
    }
  });
});

Deno.test("a plugin module imported before it is loaded by path still gives its names", async () => {
  await withPlugins({ "early.ts": pluginSource("weft-loader-early") }, async (dir, base) => {
    try {
      // As if the host had imported it statically: it registered then.
      await import(pathToFileURL(`${dir}/plugins/early.ts`).href);
      assert.deepEqual(await loadRuntimePlugins(["./plugins/early.ts"], { base }), [
        "weft-loader-early",
      ]);
    } finally {
      unregisterRuntime("weft-loader-early");
    }
  });
});

Deno.test("a plugin path that is not a regular file is refused before the import", async () => {
  await withPlugins({}, async (dir, base) => {
    await Deno.mkdir(`${dir}/plugins/dir.ts`);
    // Importing a FIFO would block until something wrote to it.
    const made = await new Deno.Command("mkfifo", { args: [`${dir}/plugins/fifo.ts`] }).output();
    assert.equal(made.code, 0);
    for (const name of ["dir.ts", "fifo.ts"]) {
      const url = pathToFileURL(`${dir}/plugins/${name}`).href;
      await assertLoadError(
        `./plugins/${name}`,
        base,
        `Cannot load runtime plugin "./plugins/${name}" (${url}): expected a module file, but it is not a regular file (a directory, FIFO or device)`,
      );
    }
    const error = await assertLoadError(
      "/dev/zero",
      base,
      /\(file:\/\/\/dev\/zero\): expected a module file, but it is not a regular file/,
    );
    // The cause names the refused argument, for a host to word it as its own input's fault.
    assert.ok(error.cause instanceof InvalidArgumentError);
    assert.equal(error.cause.argument, "plugins[0]");
    assert.equal(error.cause.value, "/dev/zero");
  });
});
