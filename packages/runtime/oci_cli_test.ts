import assert from "node:assert/strict";
import {
  ContainerExistsError,
  ContainerNotFoundError,
  ContainerNotRunningError,
  InvalidArgumentError,
  isProcessAlive,
  OciCliRuntime,
  type OciCliRuntimeOptions,
  ownedChildPids,
  RuntimeAbortError,
  RuntimeCommandError,
  RuntimeNotFoundError,
  RuntimeOutputError,
  RuntimeTimeoutError,
} from "./mod.ts";
import { poll } from "./testing/poll.ts";

const FAKE = new URL("./testdata/fake_runtime.sh", import.meta.url).pathname;

interface Fixture extends AsyncDisposable {
  dir: string;
  record: string;
  pids: string;
  runtime(mode: string, options?: Partial<OciCliRuntimeOptions>): OciCliRuntime;
  /** The argv lines the fake runtime recorded, if it ran at all. */
  recorded(): Promise<string[]>;
}

async function fixture(): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "weft-cli-test-" });
  await Deno.writeTextFile(`${dir}/config.json`, "{}");
  const record = `${dir}/record`;
  const pids = `${dir}/pids`;
  return {
    dir,
    record,
    pids,
    runtime: (mode, options = {}) =>
      new OciCliRuntime({
        name: "fake",
        binary: FAKE,
        root: `${dir}/root`,
        env: { FAKE_MODE: mode, FAKE_RECORD: record, FAKE_PIDS: pids },
        killGrace: 200,
        ...options,
      }),
    recorded: () =>
      Deno.readTextFile(record).then((text) => text.trim().split("\n"), () => [] as string[]),
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

async function assertAllGone(pidFile: string): Promise<void> {
  const pids = (await Deno.readTextFile(pidFile)).trim().split(/\s+/).map(Number);
  assert.equal(pids.length, 2, "the fake runtime and its helper both wrote their pid");
  // The helper is reparented to the host's init, which reaps it in its own time.
  await poll(
    () => pids.filter(isProcessAlive),
    (alive) => alive.length === 0,
    "no process the call started to be alive",
  );
}

Deno.test("the global options come before the subcommand and options before the id", async () => {
  await using f = await fixture();
  const runtime = f.runtime("ok", { debug: true, globalArgs: ["--systemd-cgroup"] });
  await runtime.create("web", f.dir, {}, { pidFile: "/run/web.pid", noPivot: true });
  await runtime.kill("web", "TERM", { all: true });
  await runtime.delete("web", { force: true });
  const lines = await f.recorded();
  const global = `--root ${f.dir}/root --log \\S+ --log-format json --debug --systemd-cgroup`;
  assert.match(
    lines[0],
    new RegExp(
      `^${global} create --bundle ${await Deno.realPath(
        f.dir,
      )} --pid-file /run/web.pid --no-pivot web$`,
    ),
  );
  assert.match(lines[1], new RegExp(`^${global} kill --all web 15$`));
  assert.match(lines[2], new RegExp(`^${global} delete --force web$`));
});

Deno.test("bad ids, signals and bundles are refused before any process starts", async () => {
  await using f = await fixture();
  const runtime = f.runtime("ok");
  const ids = ["-rf", "--root=/x", "../x", "a/b", "", "x".repeat(1000), "a\0b"];
  for (const id of ids) {
    await assert.rejects(runtime.create(id, f.dir), InvalidArgumentError);
    await assert.rejects(runtime.start(id), InvalidArgumentError);
    await assert.rejects(runtime.state(id), InvalidArgumentError);
    await assert.rejects(runtime.kill(id, "TERM"), InvalidArgumentError);
    await assert.rejects(runtime.delete(id), InvalidArgumentError);
  }
  for (const signal of ["BOGUS", 0, "0", 99, "RTMIN+99"]) {
    await assert.rejects(runtime.kill("web", signal), InvalidArgumentError);
  }
  await assert.rejects(runtime.create("web", `${f.dir}/missing`), InvalidArgumentError);
  await assert.rejects(
    runtime.create("web", f.dir, {}, { pidFile: "relative.pid" }),
    /Invalid pidFile "relative.pid": expected an absolute path/,
  );
  assert.deepEqual(await f.recorded(), [], "the runtime never ran");
});

Deno.test("a hung runtime is stopped at the timeout with a timeout error and leaves nothing behind", async () => {
  await using f = await fixture();
  const started = performance.now();
  await assert.rejects(f.runtime("hang").state("web", { timeout: 300 }), (error) => {
    assert.ok(error instanceof RuntimeTimeoutError);
    assert.equal(error.timeout, 300);
    assert.match(error.message, /^Runtime call "fake state web" timed out after 300 ms$/);
    return true;
  });
  // It ignores TERM, so only the KILL after the grace ends it.
  assert.ok(performance.now() - started < 5000);
  await assertAllGone(f.pids);
  assert.equal(ownedChildPids().size, 0, "the runtime process is no longer tracked");
});

Deno.test("an abort mid-call stops the runtime and rejects with an abort error carrying the reason", async () => {
  await using f = await fixture();
  const controller = new AbortController();
  const call = f.runtime("hang").kill("web", "KILL", { signal: controller.signal });
  await poll(
    () => Deno.readTextFile(f.pids).catch(() => ""),
    (text) => /^\d+ \d+\n$/.test(text),
    "the fake runtime to write its pid and its helper's",
  );
  const reason = new Error("shutting down");
  controller.abort(reason);
  await assert.rejects(call, (error) => {
    assert.ok(error instanceof RuntimeAbortError);
    assert.equal(error.cause, reason);
    assert.match(error.message, /^Runtime call "fake kill web 9" was aborted$/);
    return true;
  });
  await assertAllGone(f.pids);
});

Deno.test("an already aborted signal is refused before the runtime runs, create included", async () => {
  await using f = await fixture();
  const signal = AbortSignal.abort(new Error("too late"));
  const runtime = f.runtime("ok");
  const calls = [
    runtime.create("web", f.dir, {}, { signal }),
    runtime.start("web", { signal }),
    runtime.state("web", { signal }),
    runtime.kill("web", "TERM", { signal }),
    runtime.delete("web", { signal }),
  ];
  for (const call of calls) {
    await assert.rejects(call, (error) => {
      assert.ok(error instanceof RuntimeAbortError);
      assert.match(error.message, /was aborted before it ran$/);
      assert.equal((error.cause as Error).message, "too late");
      return true;
    });
  }
  assert.deepEqual(await f.recorded(), [], "the runtime never ran (no create, no delete --force)");
});

Deno.test("a call timeout beyond what a timer holds is refused before the runtime runs", async () => {
  await using f = await fixture();
  const runtime = f.runtime("ok");
  await assert.rejects(
    runtime.create("web", f.dir, {}, { timeout: 2 ** 31 }),
    /Invalid options.timeout 2147483648: expected a positive number of milliseconds, at most 2147483647/,
  );
  assert.throws(() => f.runtime("ok", { timeout: 2 ** 31 }), InvalidArgumentError);
  assert.deepEqual(await f.recorded(), []);
});

Deno.test("a timeout during create removes what the runtime had set up", async () => {
  await using f = await fixture();
  await assert.rejects(
    f.runtime("hang").create("web", f.dir, {}, { timeout: 200 }),
    RuntimeTimeoutError,
  );
  const lines = await f.recorded();
  assert.match(lines.at(-1)!, / delete --force web$/);
});

Deno.test("a non-zero exit carries the runtime's message from its JSON log", async () => {
  await using f = await fixture();
  await assert.rejects(f.runtime("fail-json").start("web"), (error) => {
    assert.ok(error instanceof RuntimeCommandError);
    assert.equal(error.code, 1);
    assert.equal(error.runtimeMessage, "container is on fire");
    assert.equal(error.argv[0], FAKE);
    assert.equal(
      error.message,
      'Cannot start container "web": fake exited with code 1: container is on fire',
    );
    return true;
  });
});

Deno.test("without a JSON log entry the message comes from stderr", async () => {
  await using f = await fixture();
  await assert.rejects(f.runtime("fail-stderr").kill("web", 15), (error) => {
    assert.ok(error instanceof RuntimeCommandError);
    assert.equal(error.code, 3);
    assert.equal(
      error.runtimeMessage,
      "cannot open directory '/run/x/abc': No such file or directory",
    );
    return true;
  });
});

Deno.test("a message saying the container does not exist gives a not-found error", async () => {
  await using f = await fixture();
  await assert.rejects(f.runtime("fail-youki-json").delete("abc"), (error) => {
    assert.ok(error instanceof ContainerNotFoundError);
    assert.equal(error.id, "abc");
    return true;
  });
  assert.deepEqual(await f.runtime("fail-youki-json").state("abc"), { status: "", pid: 0 });
});

Deno.test("a plugin's message patterns of each kind add to the shared ones, never replace them", async () => {
  await using f = await fixture();
  const patterns = {
    notFoundPatterns: [/gone fishing/],
    notRunningPatterns: [/fast asleep/],
    existsPatterns: [/id is taken/],
  };
  const failing = (message: string, withPatterns: boolean): OciCliRuntime =>
    f.runtime("fail-message", {
      ...(withPatterns ? patterns : {}),
      env: { FAKE_MODE: "fail-message", FAKE_MESSAGE: message },
    });
  for (const withPatterns of [false, true]) {
    // The messages runc, crun and youki share, with or without patterns of the plugin's.
    const shared = `shared messages, ${withPatterns ? "with" : "without"} the plugin's patterns`;
    await assert.rejects(
      failing("container web does not exist", withPatterns).start("web"),
      ContainerNotFoundError,
      shared,
    );
    await assert.rejects(
      failing("container not running", withPatterns).kill("web", 15),
      ContainerNotRunningError,
      shared,
    );
    await assert.rejects(
      failing("container with given ID already exists", withPatterns).create("web", f.dir),
      ContainerExistsError,
      shared,
    );
  }
  // The plugin's own messages.
  await assert.rejects(failing("web: gone fishing", true).start("web"), ContainerNotFoundError);
  await assert.rejects(
    failing("web is fast asleep", true).kill("web", 15),
    ContainerNotRunningError,
  );
  await assert.rejects(
    failing("that id is taken", true).create("web", f.dir),
    ContainerExistsError,
  );
  // Without them, the same messages are plain command errors.
  for (
    const error of await Promise.allSettled([
      failing("web: gone fishing", false).start("web"),
      failing("web is fast asleep", false).kill("web", 15),
      failing("that id is taken", false).create("web", f.dir),
    ])
  ) {
    assert.ok(error.status === "rejected" && error.reason.constructor === RuntimeCommandError);
  }
});

Deno.test("garbage state output gives a parse error that shows the output", async () => {
  await using f = await fixture();
  await assert.rejects(f.runtime("garbage").state("web"), (error) => {
    assert.ok(error instanceof RuntimeOutputError);
    assert.equal(error.output, "this is { not json\n");
    assert.equal(
      error.message,
      'Cannot parse fake state output: expected JSON: "this is { not json\\n"',
    );
    return true;
  });
});

Deno.test("pretty-printed state JSON is parsed, not searched", async () => {
  await using f = await fixture();
  const state = await f.runtime("state").state("abc");
  assert.equal(state.status, "running");
  assert.equal(state.pid, 42);
  assert.equal(state.bundle, "/b");
});

Deno.test("a missing runtime binary is reported with the name and the PATH searched", async () => {
  await using f = await fixture();
  const runtime = f.runtime("ok", { binary: "weft-no-such-runtime" });
  await assert.rejects(runtime.state("web"), (error) => {
    assert.ok(error instanceof RuntimeNotFoundError);
    assert.equal(error.binary, "weft-no-such-runtime");
    assert.equal(
      error.message,
      `Cannot run fake: binary "weft-no-such-runtime" not found in PATH "${Deno.env.get("PATH")}"`,
    );
    return true;
  });
});

Deno.test("a failed create keeps the runtime's stderr out of the container's stderr stream", async () => {
  await using f = await fixture();
  const received: string[] = [];
  let closed = false;
  const stderr = new WritableStream<Uint8Array>({
    write: (chunk) => void received.push(new TextDecoder().decode(chunk)),
    close: () => void (closed = true),
  });
  await assert.rejects(f.runtime("fail-stderr").create("web", f.dir, { stderr }), (error) => {
    assert.ok(error instanceof RuntimeCommandError);
    assert.equal(
      error.runtimeMessage,
      "cannot open directory '/run/x/abc': No such file or directory",
    );
    return true;
  });
  assert.deepEqual(received, []);
  assert.ok(closed, "the container's stderr stream is closed");
});

Deno.test("with logOnStderr a create reads the JSON log from the held-back stderr, unless stderr is inherited", async () => {
  await using f = await fixture();
  const runtime = f.runtime("ok", { logOnStderr: true });
  await runtime.create("held", f.dir);
  await runtime.create("inherited", f.dir, { stderr: "inherit" });
  const [held, inherited] = await f.recorded();
  assert.match(held, /^--root \S+ --log-format json create .* held$/);
  assert.match(inherited, /^--root \S+ --log \S+ --log-format json create .* inherited$/);
});
