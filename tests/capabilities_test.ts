import assert from "node:assert/strict";
import {
  ContainerNotFoundError,
  hasExec,
  hasFeatures,
  hasList,
  hasPause,
  hasVersion,
  RuntimeCommandError,
} from "@weft/runtime";
import { collect, createBusyboxBundle, poll } from "@weft/runtime/testing";
import { delegateToCgroup2Namespace } from "./_cgroup2.ts";
import { RUNTIMES, scratch } from "./_runtimes.ts";

const delegated = await delegateToCgroup2Namespace(import.meta.url);

for (const rt of delegated ? [] : RUNTIMES) {
  Deno.test(`${rt.name} reports its version and whether it has the features command`, async () => {
    await using s = await scratch(`${rt.name}-version`);
    const runtime = rt.make(s.root);
    assert.ok(hasVersion(runtime) && hasFeatures(runtime));
    const version = await runtime.version();
    assert.equal(version.name, rt.name);
    assert.match(version.version, /^[0-9]+\.[0-9]+(\.[0-9]+)?/);
    assert.ok(version.spec, "no spec line");
    const features = await runtime.features();
    const [major, minor, patch] = version.version.split(/[.+~-]/).map(Number);
    // crun added the command in 1.8.6; runc has had it since 1.1.0.
    const expected = rt.name === "crun"
      ? major > 1 || minor > 8 || (minor === 8 && patch >= 6)
      : major > 1 || minor >= 1;
    assert.equal(features.supported, expected, JSON.stringify(features).slice(0, 200));
    if (features.supported) assert.equal(typeof features.features.ociVersionMax, "string");
    else assert.match(features.reason, /unknown command/);
  });

  Deno.test(`${rt.name} writes the pid file, lists, execs, pauses and resumes a container`, async () => {
    await using s = await scratch(`${rt.name}-caps`);
    const runtime = rt.make(s.root);
    assert.ok(hasExec(runtime) && hasList(runtime) && hasPause(runtime));
    await using bundle = await createBusyboxBundle({ args: ["sleep", "60"], env: ["BASE=1"] });
    const pidFile = `${s.root}/init.pid`;
    try {
      assert.deepEqual(await runtime.list(), []);
      await runtime.create(s.id, bundle.dir, {}, { pidFile });
      const { pid } = await runtime.state(s.id);
      assert.equal(Number(await Deno.readTextFile(pidFile)), pid, "pid file");
      await runtime.start(s.id);

      const listed = await runtime.list();
      assert.deepEqual(listed.map((c) => [c.id, c.status, c.pid, c.bundle]), [
        [s.id, "running", pid, bundle.dir],
      ]);

      const out = collect();
      const err = collect();
      const result = await runtime.exec(
        s.id,
        ["sh", "-c", 'echo "$BASE $EXTRA $(pwd)"; echo oops >&2; exit 3'],
        { env: ["EXTRA=2"], cwd: "/bin", stdio: { stdout: out.writable, stderr: err.writable } },
      );
      assert.deepEqual(result, { code: 3 });
      assert.equal(await out.text, "1 2 /bin\n");
      assert.equal(await err.text, "oops\n");

      await assert.rejects(runtime.exec(s.id, ["no-such-command"]), (error: unknown) => {
        assert.ok(error instanceof RuntimeCommandError, String(error));
        assert.match(error.runtimeMessage, /no-such-command/);
        return true;
      });
      await assert.rejects(runtime.exec(`${s.id}-ghost`, ["true"]), ContainerNotFoundError);

      const detached = await runtime.exec(s.id, ["sleep", "30"], { detach: true });
      assert.equal(detached.code, 0);
      assert.ok(detached.pid && detached.pid > 0, `pid ${detached.pid}`);
      // The runtime may return before the process's execve has completed.
      await poll(
        () => Deno.readTextFile(`/proc/${detached.pid}/comm`).then((comm) => comm.trim()),
        (comm) => comm === "sleep",
        `process ${detached.pid} to be sleep`,
      );

      await runtime.pause(s.id);
      assert.equal((await runtime.state(s.id)).status, "paused");
      assert.equal((await runtime.list())[0].status, "paused");
      await runtime.resume(s.id);
      assert.equal((await runtime.state(s.id)).status, "running");
      await runtime.kill(s.id, "KILL", { all: true });
      await poll(() => runtime.state(s.id), (st) => st.status === "stopped", "stopped");
    } finally {
      await runtime.delete(s.id, { force: true });
    }
    assert.deepEqual(await runtime.list(), []);
  });
}
