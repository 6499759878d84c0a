import assert from "node:assert/strict";
import {
  ContainerNotFoundError,
  ContainerNotRunningError,
  InvalidArgumentError,
  RuntimeCommandError,
} from "@weft/runtime";
import { type YoukiOptions, YoukiRuntime } from "./youki_runtime.ts";

const TESTDATA = new URL("./testdata/", import.meta.url).pathname;
const FAKE = `${TESTDATA}recording_fake.sh`;
const ROOT = "/run/weft-youki-unit";

interface Reply {
  /** Fixture copied to stdout. */
  stdout?: string;
  /** Fixture copied to the --log file (a path under testdata, or absolute). */
  log?: string;
  exit?: number;
  /** Pid written to the --pid-file path. */
  pid?: number;
}

/** A YoukiRuntime on the recording fake, and the argv of each call it made. */
async function withFake(
  reply: Reply,
  fn: (runtime: YoukiRuntime, calls: () => Promise<string[][]>) => Promise<void>,
  options: YoukiOptions = {},
): Promise<void> {
  const record = await Deno.makeTempDir({ prefix: "weft-youki-record-" });
  const logDir = await Deno.makeTempDir({ prefix: "weft-youki-log-" });
  const env: Record<string, string> = { WEFT_FAKE_DIR: record };
  if (reply.stdout) {
    env.WEFT_FAKE_STDOUT = reply.stdout.startsWith("/") ? reply.stdout : TESTDATA + reply.stdout;
  }
  if (reply.log) env.WEFT_FAKE_LOG = TESTDATA + reply.log;
  if (reply.exit !== undefined) env.WEFT_FAKE_EXIT = String(reply.exit);
  if (reply.pid !== undefined) env.WEFT_FAKE_PID = String(reply.pid);
  const runtime = new YoukiRuntime({ binary: FAKE, root: ROOT, env, logDir, ...options });
  const calls = async (): Promise<string[][]> => {
    const names = [];
    for await (const entry of Deno.readDir(record)) names.push(entry.name);
    const argvs = [];
    for (const name of names.sort()) {
      const argv = (await Deno.readTextFile(`${record}/${name}`)).split("\0").slice(0, -1);
      // The per-call log file has a random name: check where it is, then name it.
      argvs.push(argv.map((arg, i) => {
        if (argv[i - 1] !== "--log") return arg;
        assert.match(arg, new RegExp(`^${logDir}/weft-youki-.*\\.log$`));
        return "<log>";
      }));
    }
    return argvs;
  };
  try {
    await fn(runtime, calls);
    // Every per-call log file was removed.
    assert.deepEqual([...Deno.readDirSync(logDir)], []);
  } finally {
    await Deno.remove(record, { recursive: true });
    await Deno.remove(logDir, { recursive: true });
  }
}

const GLOBAL = [FAKE, "--root", ROOT, "--log", "<log>", "--log-format", "json"];

Deno.test("create puts global options first and every create option before the id", async () => {
  const bundle = await Deno.makeTempDir({ prefix: "weft-youki-bundle-" });
  await Deno.writeTextFile(`${bundle}/config.json`, "{}");
  try {
    await withFake({}, async (youki, calls) => {
      await youki.create("weft-youki-a", bundle);
      await youki.create("weft-youki-b", bundle, {}, {
        pidFile: "/run/weft/b.pid",
        noPivot: true,
        noNewKeyring: true,
        preserveFds: 2,
      });
      assert.deepEqual(await calls(), [
        [...GLOBAL, "create", "--bundle", bundle, "weft-youki-a"],
        [
          ...GLOBAL,
          "create",
          "--bundle",
          bundle,
          "--pid-file",
          "/run/weft/b.pid",
          "--no-pivot",
          "--no-new-keyring",
          "--preserve-fds",
          "2",
          "weft-youki-b",
        ],
      ]);
    });
  } finally {
    await Deno.remove(bundle, { recursive: true });
  }
});

Deno.test("start, state and delete are the subcommand and the id", async () => {
  await withFake({ stdout: "state_running.json" }, async (youki, calls) => {
    await youki.start("weft-youki-a");
    await youki.state("weft-youki-a");
    await youki.delete("weft-youki-a");
    await youki.delete("weft-youki-a", { force: true });
    assert.deepEqual(await calls(), [
      [...GLOBAL, "start", "weft-youki-a"],
      [...GLOBAL, "state", "weft-youki-a"],
      [...GLOBAL, "delete", "weft-youki-a"],
      [...GLOBAL, "delete", "--force", "weft-youki-a"],
    ]);
  });
});

Deno.test("kill always names the signal, since youki has no default and swaps 5 and 7", async () => {
  await withFake({}, async (youki, calls) => {
    await youki.kill("weft-youki-a", "TERM");
    await youki.kill("weft-youki-a", 9, { all: true });
    await youki.kill("weft-youki-a", 5);
    await youki.kill("weft-youki-a", "7");
    await youki.kill("weft-youki-a", "sigusr1");
    await youki.kill("weft-youki-a", 31);
    assert.deepEqual(await calls(), [
      [...GLOBAL, "kill", "weft-youki-a", "SIGTERM"],
      [...GLOBAL, "kill", "--all", "weft-youki-a", "SIGKILL"],
      [...GLOBAL, "kill", "weft-youki-a", "SIGTRAP"],
      [...GLOBAL, "kill", "weft-youki-a", "SIGBUS"],
      [...GLOBAL, "kill", "weft-youki-a", "SIGUSR1"],
      [...GLOBAL, "kill", "weft-youki-a", "SIGSYS"],
    ]);
  });
});

Deno.test("kill refuses real-time signals and signal 0 before youki runs", async () => {
  await withFake({}, async (youki, calls) => {
    const refused = [
      ["RTMIN", "SIGRTMIN"],
      ["SIGRTMIN+3", "SIGRTMIN+3"],
      [34, "SIGRTMIN"],
      [64, "SIGRTMAX"],
      ["rtmax-1", "SIGRTMAX-1"],
    ] as const;
    for (const [signal, name] of refused) {
      await assert.rejects(youki.kill("weft-youki-a", signal), (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.argument, "signal");
        assert.equal(
          error.message,
          `Invalid signal ${
            JSON.stringify(signal)
          } for youki: youki sends only standard signals 1-31 (by number or name), not real-time signals such as ${name}`,
        );
        return true;
      });
    }
    for (const signal of [0, "0", "BOGUS", 65]) {
      await assert.rejects(youki.kill("weft-youki-a", signal), InvalidArgumentError);
    }
    assert.deepEqual(await calls(), []);
  });
});

Deno.test("debug, systemd cgroups and extra global arguments come after the log options", async () => {
  await withFake({ stdout: "state_running.json" }, async (youki, calls) => {
    await youki.state("weft-youki-a");
    assert.deepEqual(await calls(), [
      [...GLOBAL, "--debug", "--systemd-cgroup", "--log-level", "error", "state", "weft-youki-a"],
    ]);
  }, { debug: true, systemdCgroup: true, extraGlobalArgs: ["--log-level", "error"] });
});

Deno.test("pause, resume, features and --version are youki's subcommands and flag", async () => {
  await withFake({ stdout: "version_output.txt" }, async (youki, calls) => {
    await youki.pause("weft-youki-a");
    await youki.resume("weft-youki-a");
    await youki.version();
    assert.deepEqual(await calls(), [
      [...GLOBAL, "pause", "weft-youki-a"],
      [...GLOBAL, "resume", "weft-youki-a"],
      [...GLOBAL, "--version"],
    ]);
  });
  await withFake({ stdout: "state_running.json" }, async (youki, calls) => {
    await youki.features();
    assert.deepEqual(await calls(), [[...GLOBAL, "features"]]);
  });
});

Deno.test("youki's --version output parses, its colon after version included", async () => {
  await withFake({ stdout: "version_output.txt" }, async (youki) => {
    const version = await youki.version();
    assert.equal(version.name, "youki");
    assert.equal(version.version, "0.5.7");
    assert.equal(version.commit, "0.5.7-bd54457ba9de1629f21fe678687f433aec63e7c7");
    assert.equal(version.spec, "1.2.1");
  });
});

Deno.test("exec reads the state, then runs exec with a process file (and --detach --pid-file) and the id", async () => {
  const bundle = await Deno.makeTempDir({ prefix: "weft-youki-bundle-" });
  await Deno.writeTextFile(
    `${bundle}/config.json`,
    JSON.stringify({ process: { args: ["sh"], env: ["PATH=/bin"], cwd: "/" } }),
  );
  const state = JSON.parse(await Deno.readTextFile(`${TESTDATA}state_running.json`));
  await Deno.writeTextFile(`${bundle}/state.json`, JSON.stringify({ ...state, bundle }));
  try {
    await withFake({ stdout: `${bundle}/state.json`, pid: 4343 }, async (youki, calls) => {
      assert.deepEqual(await youki.exec("weft-youki-web", ["true"]), { code: 0 });
      assert.deepEqual(await youki.exec("weft-youki-web", ["sleep", "1"], { detach: true }), {
        code: 0,
        pid: 4343,
      });
      const [stateCall, execCall, , detachCall] = await calls();
      assert.deepEqual(stateCall, [...GLOBAL, "state", "weft-youki-web"]);
      const at = GLOBAL.length + 2;
      assert.deepEqual(execCall.slice(0, at), [...GLOBAL, "exec", "--process"]);
      assert.match(execCall[at], /\/weft-youki-exec-[^/]+\/process\.json$/);
      assert.deepEqual(execCall.slice(at + 1), ["weft-youki-web"]);
      assert.deepEqual(detachCall.slice(0, at), [...GLOBAL, "exec", "--process"]);
      assert.equal(detachCall[at + 1], "--detach");
      assert.equal(detachCall[at + 2], "--pid-file");
      assert.match(detachCall[at + 3], /\/weft-youki-exec-[^/]+\/pid$/);
      assert.deepEqual(detachCall.slice(at + 4), ["weft-youki-web"]);
    });
  } finally {
    await Deno.remove(bundle, { recursive: true });
  }
});

Deno.test("asking youki for --rootless fails clearly before anything runs", () => {
  for (const rootless of [true, false]) {
    assert.throws(
      () => new YoukiRuntime({ binary: FAKE, rootless: rootless as unknown as "auto" }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(error.argument, "options.rootless");
        assert.equal(
          error.message,
          `Invalid option rootless ${rootless} for youki: youki has no --rootless flag; it runs rootless by itself when started by a non-root user (or with YOUKI_USE_ROOTLESS=true in its environment), so leave rootless unset or "auto"`,
        );
        return true;
      },
    );
  }
  for (const flag of ["--rootless", "--rootless=true", "--rootless=false"]) {
    assert.throws(
      () => new YoukiRuntime({ binary: FAKE, extraGlobalArgs: ["--debug", flag] }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidArgumentError);
        assert.equal(
          error.message,
          `Invalid option extraGlobalArgs: "${flag}" is not a youki flag (youki has no --rootless) and youki would refuse the whole command line`,
        );
        return true;
      },
    );
  }
  assert.equal(new YoukiRuntime({ binary: FAKE, rootless: "auto" }).name, "youki");
});

Deno.test("other bad options are refused naming the option", () => {
  assert.throws(
    () => new YoukiRuntime({ root: "relative/root" }),
    /Invalid option root "relative\/root": expected an absolute path/,
  );
  assert.throws(() => new YoukiRuntime({ timeout: -1 }), /Invalid option timeout -1/);
});

Deno.test("state of a running container gives its pid and bundle", async () => {
  await withFake({ stdout: "state_running.json" }, async (youki) => {
    const state = await youki.state("weft-youki-web");
    assert.equal(state.status, "running");
    assert.equal(state.pid, 4242);
    assert.equal(state.bundle, "/srv/bundles/web");
    // youki reports neither rootfs nor owner.
    assert.equal(state.raw?.rootfs, undefined);
    assert.equal(state.raw?.owner, undefined);
  });
});

Deno.test("state drops the pid youki keeps for a stopped or creating container", async () => {
  for (
    const [fixture, status] of [
      ["state_stopped_stale_pid.json", "stopped"],
      ["state_creating.json", "creating"],
      ["state_created_no_pid.json", "created"],
    ] as const
  ) {
    await withFake({ stdout: fixture }, async (youki) => {
      const state = await youki.state("weft-youki-web");
      assert.equal(state.status, status);
      assert.equal(state.pid, 0, fixture);
      assert.equal(state.bundle, "/srv/bundles/web");
    });
  }
});

Deno.test("state of an unknown id reads youki's JSON log and reports no status", async () => {
  await withFake({ log: "log_not_found.jsonl", exit: 1 }, async (youki) => {
    assert.deepEqual(await youki.state("weft-youki-missing"), { status: "", pid: 0 });
  });
});

Deno.test("start of an unknown id is a ContainerNotFoundError with youki's message", async () => {
  await withFake({ log: "log_not_found.jsonl", exit: 1 }, async (youki) => {
    await assert.rejects(youki.start("weft-youki-missing"), (error: unknown) => {
      assert.ok(error instanceof ContainerNotFoundError);
      assert.equal(
        error.runtimeMessage,
        "error in executing command: container weft-youki-missing does not exist.",
      );
      assert.equal(
        error.message,
        'Cannot start container "weft-youki-missing": it does not exist: youki exited with code 1: error in executing command: container weft-youki-missing does not exist.',
      );
      return true;
    });
  });
});

Deno.test("kill of a stopped container is a ContainerNotRunningError from the last log error", async () => {
  await withFake({ log: "log_kill_stopped.jsonl", exit: 1 }, async (youki) => {
    await assert.rejects(youki.kill("weft-youki-web", "KILL"), (error: unknown) => {
      assert.ok(error instanceof ContainerNotRunningError);
      assert.equal(
        error.runtimeMessage,
        "error in executing command: container not running\n\nCaused by:\n    failed to perform operation due to incorrect container status",
      );
      return true;
    });
  });
});

Deno.test("list runs plain list and parses youki's table", async () => {
  await withFake({ stdout: "list_table.txt" }, async (youki, calls) => {
    const entries = await youki.list();
    assert.deepEqual(entries.map((e) => [e.id, e.status, e.pid]), [
      ["weft-youki-web", "running", 4242],
      ["weft-youki-old", "stopped", 0],
      ["weft-youki-new", "created", 4300],
      ["weft-youki-gone", "stopped", 0],
    ]);
    assert.deepEqual(await calls(), [[...GLOBAL, "list"]]);
  });
});

Deno.test("a failed list is a RuntimeCommandError with youki's message", async () => {
  await withFake({ log: "log_not_found.jsonl", exit: 1 }, async (youki) => {
    await assert.rejects(youki.list(), (error: unknown) => {
      assert.ok(error instanceof RuntimeCommandError);
      assert.equal(
        error.message,
        "Cannot list the containers of youki: youki exited with code 1: error in executing command: container weft-youki-missing does not exist.",
      );
      return true;
    });
  });
});
