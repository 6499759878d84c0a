import assert from "node:assert/strict";
import { parseSignal, SIGRTMAX, SIGRTMIN } from "@weft/runtime";
import { SIGNAL_TABLE } from "./signal_table.ts";

Deno.test("the signal table has one row per signal below SIGRTMIN, then the real-time range", () => {
  const range = SIGNAL_TABLE.at(-1)!;
  assert.equal(range.name, "SIGRTMIN..SIGRTMAX");
  // The runtime package owns the numbers: the table starts its range where parseSignal does.
  assert.equal(range.signal, SIGRTMIN);
  assert.equal(parseSignal("RTMIN").number, range.signal);
  assert.equal(parseSignal("RTMAX").number, SIGRTMAX);
  assert.deepEqual(
    SIGNAL_TABLE.map((entry) => entry.signal),
    Array.from({ length: SIGRTMIN }, (_, i) => i + 1),
  );
  // Each named row is the signal @weft/runtime gives that name's number.
  for (const { signal, name } of SIGNAL_TABLE.slice(0, -1)) {
    if (name.startsWith("SIG")) assert.equal(parseSignal(name).number, signal, name);
    else assert.equal(name, `${signal} (glibc)`);
  }
});
