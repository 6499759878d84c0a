import assert from "node:assert/strict";
import { collect, createBusyboxBundle, poll } from "@weft/runtime/testing";
import { delegateToCgroup2Namespace } from "./_cgroup2.ts";
import { RUNTIMES, scratch } from "./_runtimes.ts";

const delegated = await delegateToCgroup2Namespace(import.meta.url);

const OUT_LINES = 100_000;
const ERR_LINES = 1_000;

for (const rt of delegated ? [] : RUNTIMES) {
  Deno.test(`${rt.name} delivers ${OUT_LINES} stdout and ${ERR_LINES} stderr lines in order, each on its stream`, async () => {
    await using s = await scratch(`${rt.name}-volume`);
    const runtime = rt.make(s.root);
    // Interleaved: one stderr line after every 100 stdout lines.
    await using bundle = await createBusyboxBundle({
      args: [
        "awk",
        `BEGIN { for (i = 1; i <= ${OUT_LINES}; i++) { print "out " i; if (i % 100 == 0) print "err " i / 100 > "/dev/stderr" } }`,
      ],
    });
    const out = collect();
    const err = collect();
    try {
      await runtime.create(s.id, bundle.dir, { stdout: out.writable, stderr: err.writable });
      await runtime.start(s.id);
      const [stdout, stderr] = await Promise.all([out.text, err.text]);
      const expect = (prefix: string, n: number) =>
        Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`).join("\n") + "\n";
      assert.equal(stdout.length, expect("out", OUT_LINES).length, "stdout length");
      assert.ok(stdout === expect("out", OUT_LINES), "stdout lines differ from 1..100000 in order");
      assert.ok(stderr === expect("err", ERR_LINES), "stderr lines differ from 1..1000 in order");
      await poll(() => runtime.state(s.id), (st) => st.status === "stopped", "stopped");
    } finally {
      await runtime.delete(s.id, { force: true });
    }
  });
}
