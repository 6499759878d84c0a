import assert from "node:assert/strict";
import { ContainerNotFoundError, loadRuntimePlugins, selectRuntime } from "@weft/runtime";
import { RuncRuntime } from "@weft/runc";
import { captureLogs, createBusyboxBundle, poll, requireBinary } from "@weft/runtime/testing";
// Types only: the module itself must first be evaluated by the loader.
import type { CallRecord, TimedRuntime } from "../examples/timed_runtime/mod.ts";

const runc = await requireBinary("runc");
const REPO = new URL("../", import.meta.url);

Deno.test({
  name: "the timed plugin loaded from its path is selected by name and times every runc call",
  ignore: runc === undefined,
  async fn(): Promise<void> {
    await using captured = await captureLogs(["weft", "plugin", "timed"], "info");
    const logs = captured.records;
    const root = await Deno.makeTempDir({ prefix: "wip-youki-timed-root-" });
    await using bundle = await createBusyboxBundle({ args: ["sleep", "30"] });
    const id = `wip-youki-timed-${Date.now()}`;
    try {
      assert.deepEqual(
        await loadRuntimePlugins(["./examples/timed_runtime/mod.ts"], { base: REPO }),
        ["timed"],
      );
      const runtime = await selectRuntime("timed", {
        options: { inner: "runc", innerOptions: { root } },
      }) as TimedRuntime;
      assert.equal(runtime.name, "timed");
      assert.equal(runtime.inner.name, "runc");

      await runtime.create(id, bundle.dir);
      await runtime.start(id);
      assert.equal((await runtime.state(id)).status, "running");
      await runtime.kill(id, "KILL");
      await poll(() => runtime.state(id), (state) => state.status === "stopped", `"${id}" stopped`);
      await runtime.delete(id);
      await assert.rejects(runtime.start(`${id}-missing`), ContainerNotFoundError);

      const records: CallRecord[] = runtime.records();
      const calls = records.map((r) => `${r.method}:${r.outcome}`);
      assert.deepEqual(calls.slice(0, 4), ["create:ok", "start:ok", "state:ok", "kill:ok"]);
      assert.deepEqual(calls.slice(-2), ["delete:ok", "start:error"]);
      for (const record of records) {
        assert.equal(record.runtime, "runc");
        assert.ok(record.durationMs > 0 && record.durationMs < 30_000, `${record.durationMs}`);
        assert.ok(Math.abs(record.startedAt - Date.now()) < 60_000);
      }
      const failed = records.at(-1)!;
      assert.equal(failed.id, `${id}-missing`);
      assert.equal(failed.error, "ContainerNotFoundError");
      assert.match(failed.message ?? "", /does not exist/);

      const summary = runtime.summary();
      assert.equal(summary.start?.calls, 2);
      assert.equal(summary.start?.errors, 1);
      assert.equal(summary.create?.calls, 1);
      assert.ok(summary.state!.maxMs >= summary.state!.meanMs);

      // Every call was logged: successes at info, the failure as a warning.
      assert.equal(logs.length, records.length);
      assert.deepEqual(
        logs.map((log) => log.level),
        records.map((r) => (r.outcome === "ok" ? "info" : "warning")),
      );
      assert.equal(logs.at(-1)!.properties.method, "start");
    } finally {
      await new RuncRuntime({ root }).delete(id, { force: true }).catch(() => {});
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test("the timed plugin says why it is unavailable when its inner runtime is unknown or missing", async () => {
  await loadRuntimePlugins(["./examples/timed_runtime/mod.ts"], { base: REPO });
  await assert.rejects(
    selectRuntime("timed", { options: { inner: "no-such-runtime" } }),
    (error: Error) => {
      assert.match(
        error.message,
        /^Runtime "timed" is not available: Unknown runtime "no-such-runtime"/,
      );
      return true;
    },
  );
  await assert.rejects(selectRuntime("timed", { options: {} }), (error: Error) => {
    assert.equal(
      error.message,
      'Runtime "timed" is not available: Invalid timed option inner undefined: expected the name of another registered runtime, such as "runc"',
    );
    return true;
  });
});
