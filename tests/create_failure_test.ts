import assert from "node:assert/strict";
import { RuntimeCommandError } from "@weft/runtime";
import { createBusyboxBundle } from "@weft/runtime/testing";
import { delegateToCgroup2Namespace } from "./_cgroup2.ts";
import { RUNTIMES, scratch } from "./_runtimes.ts";

const delegated = await delegateToCgroup2Namespace(import.meta.url);

for (const rt of delegated ? [] : RUNTIMES) {
  Deno.test(`${rt.name} create failure rejects with the runtime's message, none of it on the container's streams, nothing left`, async () => {
    await using s = await scratch(`${rt.name}-fail`);
    const runtime = rt.make(s.root);
    await using bundle = await createBusyboxBundle({ args: ["no-such-program"] });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const stdout = new WritableStream<Uint8Array>({ write: (c) => void out.push(c) });
    const stderr = new WritableStream<Uint8Array>({ write: (c) => void err.push(c) });
    await assert.rejects(runtime.create(s.id, bundle.dir, { stdout, stderr }), (error: unknown) => {
      assert.ok(error instanceof RuntimeCommandError, String(error));
      assert.match(error.runtimeMessage, /no-such-program/);
      assert.match(
        error.message,
        new RegExp(`^Cannot create container "${s.id}": ${rt.name} exited`),
      );
      return true;
    });
    assert.deepEqual(
      [out.length, err.length],
      [0, 0],
      "runtime text reached the container's streams",
    );
    assert.deepEqual(await runtime.state(s.id), { status: "", pid: 0 });
    const left = [];
    for await (const entry of Deno.readDir(s.root)) left.push(entry.name);
    assert.deepEqual(left, [], "state root not empty");
  });
}
