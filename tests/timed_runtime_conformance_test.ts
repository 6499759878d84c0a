import assert from "node:assert/strict";
import { runConformance } from "@weft/runtime/testing";
import { requireBinary } from "@weft/runtime/testing";
import "@weft/runc";
import { TimedRuntime, timedRuntimePlugin } from "../examples/timed_runtime/mod.ts";

const runc = await requireBinary("runc");
const busybox = await requireBinary("busybox");

Deno.test({
  name: "the timed example plugin wrapped around runc passes the runtime conformance suite",
  ignore: runc === undefined || busybox === undefined,
  async fn(t): Promise<void> {
    const made: TimedRuntime[] = [];
    await runConformance(t, {
      makeRuntime: (root) => {
        const runtime = timedRuntimePlugin.create({ inner: "runc", innerOptions: { root } });
        assert.ok(runtime instanceof TimedRuntime);
        made.push(runtime);
        return runtime;
      },
      idPrefix: "wip-youki-timed",
      plugin: timedRuntimePlugin,
      pluginOptions: { inner: "runc" },
    });
    // The decorator saw every call the suite made, each with an outcome.
    const records = made.flatMap((runtime) => runtime.records());
    assert.ok(records.length > 100, `only ${records.length} calls recorded`);
    for (const method of ["create", "start", "state", "kill", "delete"] as const) {
      assert.ok(records.some((r) => r.method === method && r.outcome === "ok"), method);
    }
    // The suite's failure cases reached runc and were recorded as errors.
    assert.ok(records.some((r) => r.outcome === "error" && r.error === "ContainerNotFoundError"));
  },
});
