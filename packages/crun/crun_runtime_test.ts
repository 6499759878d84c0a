import assert from "node:assert/strict";
import {
  ContainerNotFoundError,
  getRuntimePlugin,
  InvalidArgumentError,
  RuntimeCommandError,
} from "@weft/runtime";
import { createReplayBinary, type Recording, type ReplayBinary } from "@weft/runtime/testing";
import { type CrunOptions, crunPlugin, CrunRuntime } from "./mod.ts";

const RECORDINGS = new URL("./testdata/", import.meta.url);

/**
 * A crun whose binary replays output recorded from the real crun 1.8.1 (or,
 * for later versions, written from their source); `argv()` gives the
 * command line it got.
 */
async function replaying(
  recording: Recording,
  options: CrunOptions = {},
): Promise<ReplayBinary & { runtime: CrunRuntime }> {
  const replay = await createReplayBinary(RECORDINGS, recording);
  const { binary, env } = replay;
  return Object.assign(replay, {
    runtime: new CrunRuntime({ root: "/r", binary, env, ...options }),
  });
}

Deno.test("crun global flags come before the subcommand, in the --flag=value form crun takes", async () => {
  await using r = await replaying({ stdout: "state_running.stdout" }, {
    debug: true,
    cgroupManager: "disabled",
    systemdCgroup: true,
    extraGlobalArgs: ["--rootless=false"],
  });
  await r.runtime.state("web");
  assert.equal(
    await r.argv(),
    "--root /r --log-format json --debug --cgroup-manager=disabled --systemd-cgroup --rootless=false state web",
  );
});

Deno.test("crun create passes pid file, no-pivot, keyring and preserved fds before the id", async () => {
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

Deno.test("crun create failure takes its message from the JSON log and keeps it off the container's stderr", async () => {
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
      "executable file `no-such-program` not found in $PATH: No such file or directory",
    );
    return true;
  });
  assert.equal(chunks.length, 0, "the runtime's text reached the container's stderr");
  await Deno.remove(bundle, { recursive: true });
});

Deno.test("crun kill gets the signal as a number and --all before the id", async () => {
  await using r = await replaying({});
  await r.runtime.kill("web", "SIGRTMIN+3", { all: true });
  assert.equal(await r.argv(), "--root /r --log-format json kill --all web 37");
});

Deno.test("crun kill refuses an unknown signal name before crun runs (crun 1.8 would send 0)", async () => {
  await using r = await replaying({});
  await assert.rejects(r.runtime.kill("web", "BOGUS"), InvalidArgumentError);
  assert.equal(await r.argv(), "", "crun ran");
});

for (const status of ["created", "running", "stopped"] as const) {
  Deno.test(`crun 1.8.1 pretty state JSON of a ${status} container parses`, async () => {
    await using r = await replaying({ stdout: `state_${status}.stdout` });
    const state = await r.runtime.state("web");
    assert.equal(state.status, status);
    assert.equal(state.pid, status === "stopped" ? 0 : 23622);
    assert.equal(state.bundle, "/tmp/crr/bundle");
    assert.equal(state.raw?.rootfs, "rootfs", "crun reports rootfs as written in config.json");
  });
}

Deno.test("crun 1.8.1 unknown-id answer gives status empty and pid 0", async () => {
  await using r = await replaying({ stderr: "state_not_found.stderr", code: 1 });
  assert.deepEqual(await r.runtime.state("web"), { status: "", pid: 0 });
});

Deno.test("crun 1.22 unknown-id answer gives status empty and pid 0", async () => {
  await using r = await replaying({ stderr: "state_not_found_1.22.stderr", code: 1 });
  assert.deepEqual(await r.runtime.state("web"), { status: "", pid: 0 });
});

Deno.test("crun 1.8.1 delete of an unknown id rejects with ContainerNotFoundError", async () => {
  await using r = await replaying({ stderr: "delete_not_found.stderr", code: 1 });
  await assert.rejects(r.runtime.delete("web"), ContainerNotFoundError);
});

Deno.test("crun 1.8.1 list output parses, the empty pretty array too", async () => {
  await using full = await replaying({ stdout: "list.stdout" });
  const [web] = await full.runtime.list();
  assert.deepEqual([web.id, web.status, web.pid, web.bundle], [
    "web",
    "running",
    23622,
    "/tmp/crr/bundle",
  ]);
  assert.equal(await full.argv(), "--root /r --log-format json list --format json");
  await using empty = await replaying({ stdout: "list_empty.stdout" });
  assert.deepEqual(await empty.runtime.list(), []);
});

Deno.test("crun 1.8.1 version output parses", async () => {
  await using r = await replaying({ stdout: "version.stdout" });
  const version = await r.runtime.version();
  assert.deepEqual([version.name, version.version, version.spec], ["crun", "1.8.1", "1.0.0"]);
  assert.equal(version.commit, "f8a096be060b22ccd3d5f3ebe44108517fbf6c30");
});

Deno.test("crun 1.8.1 answering unknown command to features gives not supported", async () => {
  await using r = await replaying({ stderr: "features.stderr", code: 1 });
  assert.deepEqual(await r.runtime.features(), {
    supported: false,
    reason: "unknown command features",
  });
});

Deno.test("crun options are checked, naming the option and what was expected", () => {
  const refused = (options: Record<string, unknown>, argument: string) =>
    assert.throws(() => new CrunRuntime(options as CrunOptions), (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(error.argument, argument);
      return true;
    });
  refused({ root: "relative/dir" }, "options.root");
  refused({ cgroupManager: "cgroupfs2" }, "options.cgroupManager");
  refused({ timeout: -1 }, "options.timeout");
  refused({ debug: "yes" }, "options.debug");
  refused({ extraGlobalArgs: "--x" }, "options.extraGlobalArgs");
  refused({ env: { A: 1 } }, "options.env");
});

Deno.test("importing @weft/crun registers the crun plugin, which detects its binary", async () => {
  assert.equal(getRuntimePlugin("crun"), crunPlugin);
  const missing = await crunPlugin.detect({ binary: "/nonexistent/crun" });
  assert.deepEqual(missing, { available: false, reason: 'binary "/nonexistent/crun" not found' });
  await using replay = await createReplayBinary(RECORDINGS);
  const present = await crunPlugin.detect({ binary: replay.binary });
  assert.deepEqual(present, { available: true, binary: replay.binary });
  const runtime = crunPlugin.create({ root: "/r" });
  assert.ok(runtime instanceof CrunRuntime);
  assert.equal(runtime.name, "crun");
});
