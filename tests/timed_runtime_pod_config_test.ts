import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { getRuntimePlugin, loadRuntimePlugins, selectRuntime } from "@weft/runtime";
import { createBusyboxBundle, requireBinary } from "@weft/runtime/testing";
import { RuncRuntime } from "@weft/runc";
import type { TimedRuntime } from "../examples/timed_runtime/mod.ts";

const runc = await requireBinary("runc");
const POD = new URL("./fixtures/timed_pod/pod.json", import.meta.url).pathname;

/**
 * What weft-init does with the `runtime` section of a pod file (the steps of
 * `chooseRuntime` in packages/init/main.ts on wip/init @ 844b4ad): import the
 * plugins relative to the file, select by name with the options, then create
 * with the state root. Replace with the init's own function once it is
 * exported on main.
 */
async function chooseRuntimeAsTheInitDoes(file: string, root: string): Promise<TimedRuntime> {
  const config = JSON.parse(await Deno.readTextFile(file));
  await loadRuntimePlugins(config.runtime.plugins, { base: pathToFileURL(file) });
  const pluginOptions = { ...config.runtime.options, timeout: 30_000 };
  const chosen = await selectRuntime(config.runtime.name, { options: pluginOptions });
  return getRuntimePlugin(chosen.name).create({ ...pluginOptions, root }) as TimedRuntime;
}

Deno.test({
  name: "a pod file that loads the timed plugin by path selects it by name and it runs runc",
  ignore: runc === undefined,
  async fn(): Promise<void> {
    const root = await Deno.makeTempDir({ prefix: "wip-youki-pod-root-" });
    await using bundle = await createBusyboxBundle({ args: ["true"] });
    const id = `wip-youki-pod-${Date.now()}`;
    try {
      const runtime = await chooseRuntimeAsTheInitDoes(POD, root);
      assert.equal(runtime.name, "timed");
      assert.equal(runtime.inner.name, "runc");
      await runtime.create(id, bundle.dir);
      // The root the init gives "the runtime" reached the inner runc.
      assert.ok((await Deno.stat(`${root}/${id}`)).isDirectory);
      await runtime.start(id);
      await runtime.delete(id, { force: true });
      assert.deepEqual(runtime.records().map((r) => `${r.method}:${r.outcome}`), [
        "create:ok",
        "start:ok",
        "delete:ok",
      ]);
    } finally {
      await new RuncRuntime({ root }).delete(id, { force: true }).catch(() => {});
      await Deno.remove(root, { recursive: true });
    }
  },
});
