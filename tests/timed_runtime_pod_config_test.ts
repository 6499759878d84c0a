// Issue 4, acceptance 2: weft-init loads a third-party plugin named in its pod
// file by path, selects it by name, and runs the pod through it.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { missing, PodDir, startInit } from "./_init_harness.ts";

const TIMED = fileURLToPath(new URL("../examples/timed_runtime/mod.ts", import.meta.url));

Deno.test({
  name: "weft-init loads the timed plugin from a path in its pod file and runs the pod on it",
  ignore: missing("runc", "child"),
  async fn(): Promise<void> {
    await using pod = await PodDir.create();
    const bundle = await pod.bundle("echo timed-says-hi; exit 3");
    const config = await pod.write("timed", {
      runtime: { name: "timed", root: pod.root, plugins: [TIMED], options: { inner: "runc" } },
      containers: [{ id: "wt-timed", bundle, restart: { policy: "never" } }],
      pod: { exitCode: { from: "container", id: "wt-timed" } },
    });
    await using init = startInit(config, "child");
    const { code, stdout, stderr } = await init.exited;
    assert.equal(code, 3, stderr);
    assert.match(stdout, /\[wt-timed\] timed-says-hi/);
    assert.match(stderr, /Starting pod of 1 containers? on timed/);
    // The decorator saw the init's calls and passed them to runc.
    assert.match(stderr, /runc create wt-timed: ok in [0-9.]+ ms/);
    assert.match(stderr, /runc start wt-timed: ok in [0-9.]+ ms/);
    assert.deepEqual(await pod.rootEntries(), [], "the pod left nothing in runc's state root");
  },
});
