import assert from "node:assert/strict";
import { captureLogs } from "./testing/capture_logs.ts";
import { onOwnedChildCollected, trackChildProcess } from "./child_registry.ts";

Deno.test("a collected-child listener that throws is logged and the others are still called", async () => {
  await using logs = await captureLogs(["weft", "runtime"]);
  const records = logs.records;
  const before: number[] = [];
  const after: number[] = [];
  const stops = [
    onOwnedChildCollected((pid) => before.push(pid)),
    onOwnedChildCollected(() => {
      throw new Error("listener broke");
    }),
    onOwnedChildCollected((pid) => after.push(pid)),
  ];
  try {
    const child = new Deno.Command("true").spawn();
    trackChildProcess(child);
    // trackChildProcess reacted to the status first: its listeners have run when this resumes.
    await child.status;
    assert.ok(before.includes(child.pid));
    assert.ok(after.includes(child.pid), "the listener after the one that threw was not called");
    const logged = records.find((r) => r.level === "error");
    assert.ok(logged, "the throw was not logged");
    assert.equal((logged.properties.error as Error).message, "listener broke");
    assert.equal(logged.properties.pid, child.pid);
  } finally {
    for (const stop of stops) stop();
  }
});
