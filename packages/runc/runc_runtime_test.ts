import assert from "node:assert/strict";
import {
  ContainerNotFoundError,
  getRuntimePlugin,
  InvalidArgumentError,
  RuntimeCommandError,
} from "@weft/runtime";
import { createReplayBinary, type Recording, type ReplayBinary } from "@weft/runtime/testing";
import { type RuncOptions, runcPlugin, RuncRuntime } from "./mod.ts";

const RECORDINGS = new URL("./testdata/", import.meta.url);

/**
 * A runc whose binary replays output recorded from the real runc 1.1.5;
 * `argv()` gives the command line it got.
 */
async function replaying(
  recording: Recording,
  options: RuncOptions = {},
): Promise<ReplayBinary & { runtime: RuncRuntime }> {
  const replay = await createReplayBinary(RECORDINGS, recording);
  const { binary, env } = replay;
  return Object.assign(replay, {
    runtime: new RuncRuntime({ root: "/r", binary, env, ...options }),
  });
}

Deno.test("runc global flags come before the subcommand", async () => {
  await using r = await replaying({ stdout: "state_running.stdout" }, {
    debug: true,
    systemdCgroup: true,
    rootless: true,
    extraGlobalArgs: ["--criu", "/usr/sbin/criu"],
  });
  await r.runtime.state("web");
  assert.equal(
    await r.argv(),
    "--root /r --log-format json --debug --systemd-cgroup --rootless=true --criu /usr/sbin/criu state web",
  );
});

Deno.test("runc rootless auto leaves the flag out", async () => {
  await using r = await replaying({ stdout: "state_running.stdout" }, { rootless: "auto" });
  await r.runtime.state("web");
  assert.equal(await r.argv(), "--root /r --log-format json state web");
});

Deno.test("runc create passes pid file, no-pivot, keyring and preserved fds before the id", async () => {
  const bundle = await Deno.makeTempDir();
  await Deno.writeTextFile(`${bundle}/config.json`, "{}");
  await using r = await replaying({});
  await r.runtime.create("web", bundle, {}, {
    pidFile: "/run/web.pid",
    noPivot: true,
    noNewKeyring: true,
    preserveFds: 2,
  });
  assert.equal(
    await r.argv(),
    `--root /r --log-format json create --bundle ${bundle} --pid-file /run/web.pid --no-pivot --no-new-keyring --preserve-fds 2 web`,
  );
  await Deno.remove(bundle, { recursive: true });
});

Deno.test("runc create failure takes its message from the JSON log and keeps it off the container's stderr", async () => {
  const bundle = await Deno.makeTempDir();
  await Deno.writeTextFile(`${bundle}/config.json`, "{}");
  await using r = await replaying({
    stderr: "create_failed.stderr",
    log: "create_failed.log",
    code: 1,
  });
  const chunks: Uint8Array[] = [];
  const stderr = new WritableStream<Uint8Array>({ write: (chunk) => void chunks.push(chunk) });
  await assert.rejects(r.runtime.create("web", bundle, { stderr }), (error: unknown) => {
    assert.ok(error instanceof RuntimeCommandError);
    assert.equal(
      error.runtimeMessage,
      'runc create failed: unable to start container process: exec: "no-such-program": executable file not found in $PATH',
    );
    return true;
  });
  assert.equal(chunks.length, 0, "the runtime's text reached the container's stderr");
  await Deno.remove(bundle, { recursive: true });
});

Deno.test("runc kill gets the signal as a number and --all before the id", async () => {
  await using r = await replaying({});
  await r.runtime.kill("web", "SIGRTMIN+3", { all: true });
  assert.equal(await r.argv(), "--root /r --log-format json kill --all web 37");
});

Deno.test("runc kill refuses an unknown signal name before runc runs", async () => {
  await using r = await replaying({});
  await assert.rejects(r.runtime.kill("web", "BOGUS"), InvalidArgumentError);
  assert.equal(await r.argv(), "", "runc ran");
});

for (const status of ["created", "running", "stopped"] as const) {
  Deno.test(`runc 1.1.5 state JSON of a ${status} container parses`, async () => {
    await using r = await replaying({ stdout: `state_${status}.stdout` });
    const state = await r.runtime.state("web");
    assert.equal(state.status, status);
    assert.equal(state.pid, status === "stopped" ? 0 : 23552);
    assert.equal(state.bundle, "/tmp/crr/bundle");
    assert.equal(state.raw?.rootfs, "/tmp/crr/bundle/rootfs", "runc reports rootfs absolute");
  });
}

Deno.test("runc 1.1.5 unknown-id answer gives status empty and pid 0", async () => {
  await using r = await replaying({ stderr: "state_not_found.stderr", code: 1 });
  assert.deepEqual(await r.runtime.state("web"), { status: "", pid: 0 });
});

Deno.test("runc 1.1.5 delete of an unknown id rejects with ContainerNotFoundError", async () => {
  await using r = await replaying({ stderr: "delete_not_found.stderr", code: 1 });
  await assert.rejects(r.runtime.delete("web"), ContainerNotFoundError);
});

Deno.test("runc 1.1.5 list output parses, null for none too", async () => {
  await using full = await replaying({ stdout: "list.stdout" });
  const [web] = await full.runtime.list();
  assert.deepEqual([web.id, web.status, web.pid, web.bundle], [
    "web",
    "running",
    23552,
    "/tmp/crr/bundle",
  ]);
  assert.equal(await full.argv(), "--root /r --log-format json list --format json");
  await using empty = await replaying({ stdout: "list_empty.stdout" });
  assert.deepEqual(await empty.runtime.list(), []);
});

Deno.test("runc 1.1.5 version output parses", async () => {
  await using r = await replaying({ stdout: "version.stdout" });
  const version = await r.runtime.version();
  assert.deepEqual([version.name, version.version, version.spec], [
    "runc",
    "1.1.5+ds1",
    "1.0.2-dev",
  ]);
  assert.equal(version.commit, "1.1.5+ds1-1+deb12u1");
});

Deno.test("runc 1.1.5 features JSON parses", async () => {
  await using r = await replaying({ stdout: "features.stdout" });
  const features = await r.runtime.features();
  assert.ok(features.supported);
  assert.equal(features.features.ociVersionMax, "1.0.2-dev");
});

Deno.test("runc options are checked, naming the option and what was expected", () => {
  const refused = (options: Record<string, unknown>, argument: string) =>
    assert.throws(() => new RuncRuntime(options as RuncOptions), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(error.argument, argument);
      return true;
    });
  refused({ root: "relative/dir" }, "options.root");
  refused({ rootless: "yes" }, "options.rootless");
  refused({ timeout: -1 }, "options.timeout");
  refused({ debug: "yes" }, "options.debug");
  refused({ extraGlobalArgs: "--x" }, "options.extraGlobalArgs");
  refused({ env: { A: 1 } }, "options.env");
});

Deno.test("importing @weft/runc registers the runc plugin, which detects its binary", async () => {
  assert.equal(getRuntimePlugin("runc"), runcPlugin);
  const missing = await runcPlugin.detect({ binary: "/nonexistent/runc" });
  assert.deepEqual(missing, { available: false, reason: 'binary "/nonexistent/runc" not found' });
  await using replay = await createReplayBinary(RECORDINGS);
  const present = await runcPlugin.detect({ binary: replay.binary });
  assert.deepEqual(present, { available: true, binary: replay.binary });
  const runtime = runcPlugin.create({ root: "/r" });
  assert.ok(runtime instanceof RuncRuntime);
  assert.equal(runtime.name, "runc");
});
