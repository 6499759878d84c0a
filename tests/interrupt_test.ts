import assert from "node:assert/strict";
import { findBinary, ownedChildPids, RuntimeAbortError, RuntimeTimeoutError } from "@weft/runtime";
import { createBusyboxBundle } from "@weft/runtime/testing";
import { delegateToCgroup2Namespace } from "./_cgroup2.ts";
import { RUNTIMES, scratch } from "./_runtimes.ts";

const delegated = await delegateToCgroup2Namespace(import.meta.url);

const sleep = await findBinary("sleep");

/**
 * The pids of processes that are alive (not zombies) and either belong to
 * one of the process groups in `groups` (the runtime runs in its own group,
 * and its helpers and the container's init inherit it) or carry `marker` in
 * their command line.
 */
async function leftovers(groups: ReadonlySet<number>, marker: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^[0-9]+$/.test(entry.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z" || fields[0] === "X") continue;
      const cmdline = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).replaceAll(
        "\0",
        " ",
      );
      if (groups.has(Number(fields[2])) || cmdline.includes(marker)) {
        found.push(`${entry.name} (pgid ${fields[2]}): ${cmdline}`);
      }
    } catch {
      // The process exited while being read.
    }
  }
  return found;
}

/** Runs `call` while recording the runtime processes it spawns. */
async function watched<T>(call: Promise<T>): Promise<{ error: unknown; pids: Set<number> }> {
  const pids = new Set<number>();
  let settled = false;
  const outcome = call.then(() => undefined, (error) => error).finally(() => settled = true);
  while (!settled) {
    for (const pid of ownedChildPids()) pids.add(pid);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return { error: await outcome, pids };
}

for (const rt of delegated ? [] : RUNTIMES) {
  for (const how of ["timeout", "abort"] as const) {
    Deno.test({
      name: `${rt.name} create stopped by its ${how} rejects typed and leaves no runtime process`,
      ignore: sleep === undefined,
      async fn(): Promise<void> {
        await using s = await scratch(`${rt.name}-${how}`);
        const runtime = rt.make(s.root);
        // A createRuntime hook that sleeps makes the real runtime hang inside
        // `create`; the odd duration marks the hook's process.
        const seconds = `${40 + Math.floor(Math.random() * 1000) / 1000}`;
        await using bundle = await createBusyboxBundle({
          args: ["true"],
          configure: (config) => {
            config.hooks = { createRuntime: [{ path: sleep!, args: ["sleep", seconds] }] };
          },
        });
        const controller = new AbortController();
        const reason = new Error("the test gave up");
        const timer = setTimeout(() => controller.abort(reason), 1000);
        const options = how === "timeout" ? { timeout: 1000 } : { signal: controller.signal };
        const started = Date.now();
        const { error, pids } = await watched(runtime.create(s.id, bundle.dir, {}, options));
        clearTimeout(timer);
        const elapsed = Date.now() - started;
        if (how === "timeout") {
          assert.ok(
            error instanceof RuntimeTimeoutError,
            `expected RuntimeTimeoutError, got ${error}`,
          );
          assert.equal(error.timeout, 1000);
        } else {
          assert.ok(error instanceof RuntimeAbortError, `expected RuntimeAbortError, got ${error}`);
          assert.equal(error.cause, reason);
        }
        assert.ok(elapsed < 15_000, `the call took ${elapsed} ms`);
        assert.ok(pids.size > 0, "no runtime process was seen");
        assert.deepEqual(await leftovers(pids, `sleep ${seconds}`), [], "processes left behind");
        assert.deepEqual(await runtime.state(s.id), { status: "", pid: 0 }, "state left behind");
        const entries = [];
        for await (const entry of Deno.readDir(s.root)) entries.push(entry.name);
        assert.deepEqual(entries, [], "state root not empty");
      },
    });
  }

  Deno.test({
    name: `${rt.name} delete stopped by its timeout (a hanging poststop hook) leaves no process`,
    ignore: sleep === undefined,
    async fn(): Promise<void> {
      await using s = await scratch(`${rt.name}-hookdel`);
      const runtime = rt.make(s.root);
      // The hook hangs on its first run only, so that the cleanup's
      // `delete --force` (which runs it again) finishes. It reads the state
      // the runtime writes to its stdin first: crun dies of SIGPIPE (141)
      // when a hook has exited before that write.
      const seconds = `${40 + Math.floor(Math.random() * 1000) / 1000}`;
      const once = `${s.root}/hook-ran`;
      await using bundle = await createBusyboxBundle({
        args: ["sleep", "60"],
        configure: (config) => {
          config.hooks = {
            poststop: [{
              path: "/bin/sh",
              args: [
                "sh",
                "-c",
                `dd bs=65536 count=1 of=/dev/null 2>/dev/null; [ -e ${once} ] && exit 0; touch ${once}; exec ${sleep} ${seconds}`,
              ],
            }],
          };
        },
      });
      try {
        await runtime.create(s.id, bundle.dir);
        const { error, pids } = await watched(runtime.delete(s.id, { force: true, timeout: 1500 }));
        assert.ok(
          error instanceof RuntimeTimeoutError,
          `expected RuntimeTimeoutError, got ${error}`,
        );
        assert.ok(pids.size > 0, "no runtime process was seen");
        const alive = [];
        for (const pid of pids) {
          const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
          const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
          if (stat !== "" && state !== "Z") alive.push(pid);
        }
        assert.deepEqual(alive, [], "runtime processes still alive");
        assert.deepEqual(
          await leftovers(new Set(), `sleep ${seconds}`),
          [],
          "the hook is still alive",
        );
      } finally {
        await runtime.delete(s.id, { force: true });
      }
      assert.deepEqual(await runtime.state(s.id), { status: "", pid: 0 });
    },
  });

  Deno.test(`${rt.name} state with an already aborted signal rejects with RuntimeAbortError`, async () => {
    await using s = await scratch(`${rt.name}-preabort`);
    const runtime = rt.make(s.root);
    const controller = new AbortController();
    controller.abort(new Error("already"));
    await assert.rejects(runtime.state(s.id, { signal: controller.signal }), RuntimeAbortError);
  });
}
