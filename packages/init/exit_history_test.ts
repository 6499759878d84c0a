import assert from "node:assert/strict";
import { exitRecord } from "./exit_history.ts";

Deno.test("exitRecord: ranFor is whole milliseconds of the monotonic clock", () => {
  const exit = { pid: 7, status: 0, code: 0, signal: null, at: 5_000, reapedAt: 1_234.567 };
  assert.equal(exitRecord(exit, { restartCount: 0, startedAtMonotonic: 0.2 }).ranFor, 1234);
  // A reap stamped before the start (clock granularity) is 0, not negative.
  assert.equal(exitRecord(exit, { restartCount: 0, startedAtMonotonic: 1_300 }).ranFor, 0);
});
