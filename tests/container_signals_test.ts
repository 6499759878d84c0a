import assert from "node:assert/strict";
import { hasExec } from "@weft/runtime";
import { collect, createBusyboxBundle, poll } from "@weft/runtime/testing";
import { delegateToCgroup2Namespace } from "./_cgroup2.ts";
import { RUNTIMES, scratch } from "./_runtimes.ts";

const delegated = await delegateToCgroup2Namespace(import.meta.url);

/** The signal masks of a /proc/PID/status text. */
function masks(status: string): { ignored: string; blocked: string } {
  const field = (name: string) => new RegExp(`^${name}:\\s*([0-9a-f]+)$`, "m").exec(status)?.[1];
  return { ignored: field("SigIgn") ?? "missing", blocked: field("SigBlk") ?? "missing" };
}

/** What `runc run` from a clean login shell gives its container: nothing ignored or blocked. */
const CLEAN = { ignored: "0000000000000000", blocked: "0000000000000000" };

for (const rt of delegated ? [] : RUNTIMES) {
  Deno.test(`${rt.name} starts created and exec'd processes with default signal dispositions and nothing blocked`, async () => {
    await using s = await scratch(`${rt.name}-sigs`);
    const runtime = rt.make(s.root);
    assert.ok(hasExec(runtime));
    await using bundle = await createBusyboxBundle({ args: ["sleep", "60"] });
    try {
      await runtime.create(s.id, bundle.dir);
      const { pid } = await runtime.state(s.id);
      await runtime.start(s.id);
      await poll(
        () => Deno.readTextFile(`/proc/${pid}/comm`).then((comm) => comm.trim()),
        (comm) => comm === "sleep",
        `container init ${pid} to be sleep`,
      );
      assert.deepEqual(masks(await Deno.readTextFile(`/proc/${pid}/status`)), CLEAN, "create");

      const out = collect();
      const result = await runtime.exec(s.id, ["cat", "/proc/self/status"], {
        stdio: { stdout: out.writable },
      });
      assert.equal(result.code, 0);
      assert.deepEqual(masks(await out.text), CLEAN, "exec");

      const detached = await runtime.exec(s.id, ["sleep", "30"], { detach: true });
      await poll(
        () => Deno.readTextFile(`/proc/${detached.pid}/comm`).then((comm) => comm.trim()),
        (comm) => comm === "sleep",
        `exec'd process ${detached.pid} to be sleep`,
      );
      assert.deepEqual(
        masks(await Deno.readTextFile(`/proc/${detached.pid}/status`)),
        CLEAN,
        "exec --detach",
      );
    } finally {
      await runtime.delete(s.id, { force: true });
    }
  });
}
