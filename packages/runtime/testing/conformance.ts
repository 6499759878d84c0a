import assert from "node:assert/strict";
import { ContainerNotFoundError } from "../container_errors.ts";
import { InvalidArgumentError, RuntimeCommandError } from "../errors.ts";
import type { ContainerState, Runtime } from "../runtime.ts";
import { type BusyboxBundle, createBusyboxBundle } from "./busybox_bundle.ts";
import { isAlive, type ProcIdentity, procIdentity } from "./_proc.ts";
import { TextSink } from "./_text_sink.ts";
import { runCallChecks } from "./_conformance_calls.ts";
import { checkRun } from "./_conformance_run.ts";
import type { RuntimePlugin, RuntimePluginOptions } from "../registry.ts";
import { poll } from "./poll.ts";

/**
 * Options of {@linkcode runConformance}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ConformanceOptions } from "@weft/runtime/testing";
 * import { OciCliRuntime } from "@weft/runtime";
 *
 * const options: ConformanceOptions = {
 *   makeRuntime: (root) => new OciCliRuntime({ name: "crun", binary: "crun", root }),
 *   idPrefix: "crun-conf",
 * };
 * assert.equal(options.idPrefix, "crun-conf");
 * ```
 */
export interface ConformanceOptions {
  /** Makes the runtime under test, with its state root set to `root` (a fresh temp dir). */
  makeRuntime(root: string): Runtime;
  /** Prefix of the container ids the suite creates. @default {"conf"} */
  idPrefix?: string;
  /** How many containers run through the lifecycle at once in the parallel case. @default {20} */
  parallel?: number;
  /**
   * The plugin that makes the runtime, for the `detect` check (that check
   * fails without it).
   */
  plugin?: RuntimePlugin;
  /**
   * Options under which `plugin.detect` must find the runtime available;
   * the check also gives them with a missing `binary`.
   * @default {{}}
   */
  pluginOptions?: RuntimePluginOptions;
}

/** How long the suite waits for anything a container does (the machines are shared and slow). */
const WAIT = 30_000;

/** A container the suite made, for the final checks and the cleanup. */
interface Made {
  id: string;
  process?: ProcIdentity;
}

/** The shell line that makes a container's init quit on TERM (PID 1 ignores it otherwise). */
const ON_TERM = "trap 'echo out:term-handled; exit 0' TERM";
/** Idles so that a trapped signal runs its handler at once (a foreground sleep would delay it). */
const IDLE = "while :; do sleep 1 & wait $!; done";

/**
 * Runs the runtime conformance suite against the runtime `makeRuntime`
 * builds: real busybox containers through the OCI lifecycle, each check a
 * `t.step` named by what it shows. It needs root, the runtime's binary and
 * `busybox` (static) in PATH, and `--allow-all` (it reads /proc).
 *
 * The test process is not the containers' parent: once `create` returns,
 * their inits belong to the nearest subreaper or the host's init. The suite
 * watches them through the runtime's state and /proc (pid plus start time;
 * a zombie counts as dead), never by waiting for them.
 *
 * At the end the state root must be empty and no container process of the
 * suite alive; whatever a failed check left behind is force-deleted.
 *
 * @example
 * ```ts ignore
 * import { runConformance } from "@weft/runtime/testing";
 * import { RuncRuntime } from "@weft/runc";
 *
 * Deno.test("runc passes the runtime conformance suite", async (t) => {
 *   await runConformance(t, { makeRuntime: (root) => new RuncRuntime({ root }), idPrefix: "runc" });
 * });
 * ```
 */
export async function runConformance(
  t: Deno.TestContext,
  options: ConformanceOptions,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "weft-conformance-" });
  const runtime = options.makeRuntime(root);
  const prefix = `${options.idPrefix ?? "conf"}-${crypto.randomUUID().slice(0, 6)}`;
  const parallel = options.parallel ?? 20;
  const made: Made[] = [];
  const bundles: BusyboxBundle[] = [];
  const bundle = async (script: string): Promise<BusyboxBundle> => {
    const made = await createBusyboxBundle({ args: ["sh", "-c", script] });
    bundles.push(made);
    return made;
  };
  const step = (name: string, fn: () => Promise<void>): Promise<boolean> =>
    t.step({ name, fn, sanitizeOps: false, sanitizeResources: false, sanitizeExit: false });

  /** create, then the checks every created container passes; returns its identity. */
  const create = async (
    id: string,
    dir: string,
    stdio: Parameters<Runtime["create"]>[2] = {},
  ): Promise<ProcIdentity> => {
    const entry: Made = { id };
    made.push(entry);
    await runtime.create(id, dir, stdio);
    const state = await runtime.state(id);
    assert.equal(state.status, "created", `state of "${id}" after create`);
    assert.ok(state.pid > 0, `pid of "${id}" after create is ${state.pid}, expected > 0`);
    if (state.bundle !== undefined) assert.equal(state.bundle, dir, "bundle in the state");
    const identity = procIdentity(state.pid);
    assert.ok(identity, `/proc/${state.pid} of created container "${id}" does not exist`);
    assert.ok(isAlive(identity), `init ${state.pid} of "${id}" is not alive after create`);
    entry.process = identity;
    return identity;
  };
  const stopped = (id: string): Promise<ContainerState> =>
    poll(() => runtime.state(id), (s) => s.status === "stopped", `"${id}" to be stopped`, {
      timeout: WAIT,
    });
  const deleted = async (id: string): Promise<void> => {
    await runtime.delete(id);
    assert.deepEqual(await runtime.state(id), { status: "", pid: 0 }, `state of deleted "${id}"`);
  };

  try {
    // One container through the whole lifecycle, one step per stage.
    const lifeId = `${prefix}-life`;
    const out = new TextSink();
    const err = new TextSink();
    const stdin = new TransformStream<Uint8Array, Uint8Array>();
    const input = stdin.writable.getWriter();
    let life: ProcIdentity | undefined;
    const lifeBundle = await bundle(
      `${ON_TERM}; echo out:started; echo err:started >&2; read line; echo "out:got:$line"; ${IDLE}`,
    );

    await step(
      "create leaves the container created, its init alive and its entrypoint not run",
      async () => {
        life = await create(lifeId, lifeBundle.dir, {
          stdin: stdin.readable,
          stdout: out.writable,
          stderr: err.writable,
        });
        assert.equal(out.text, "", "the entrypoint wrote before start");
      },
    );

    await step(
      "start runs the entrypoint and the state becomes running with the same pid",
      async () => {
        assert.ok(life, "no container from the create step");
        await runtime.start(lifeId);
        const state = await runtime.state(lifeId);
        assert.equal(state.status, "running");
        assert.equal(state.pid, life.pid, "pid changed between create and start");
        assert.ok(isAlive(life), "init is not alive after start");
      },
    );

    await step("the container's stdout and stderr arrive each on its own stream", async () => {
      await out.contains("out:started\n", WAIT);
      await err.contains("err:started\n", WAIT);
      assert.ok(!out.text.includes("err:"), `stderr text on stdout: ${JSON.stringify(out.text)}`);
      assert.ok(!err.text.includes("out:"), `stdout text on stderr: ${JSON.stringify(err.text)}`);
    });

    await step("bytes written to the stdin stream reach the container", async () => {
      await input.write(new TextEncoder().encode("ping\n"));
      await out.contains("out:got:ping\n", WAIT);
    });

    await step("kill TERM runs the container's handler and the state becomes stopped", async () => {
      assert.ok(life, "no container from the create step");
      await runtime.kill(lifeId, "TERM");
      await out.contains("out:term-handled\n", WAIT);
      const state = await stopped(lifeId);
      assert.equal(state.pid, 0, "a stopped container reports pid 0");
      await poll(() => isAlive(life!), (alive) => !alive, `init ${life.pid} to be gone`, {
        timeout: WAIT,
      });
      await out.end(WAIT);
      await err.end(WAIT);
    });

    await step("delete removes the stopped container and its state becomes empty", async () => {
      await deleted(lifeId);
      await assert.rejects(Deno.stat(`${root}/${lifeId}`), Deno.errors.NotFound);
    });
    await input.close().catch(() => {});

    // A container whose init ignores TERM (it is PID 1 and sets no handler).
    const stubbornId = `${prefix}-stubborn`;
    const stubbornOut = new TextSink();
    let stubborn: ProcIdentity | undefined;
    const stubbornBundle = await bundle(`trap '' TERM; echo out:ready; ${IDLE}`);

    await step(
      "delete without force of a running container fails with a typed error and leaves it running",
      async () => {
        stubborn = await create(stubbornId, stubbornBundle.dir, { stdout: stubbornOut.writable });
        await runtime.start(stubbornId);
        await stubbornOut.contains("out:ready\n", WAIT);
        const error = await runtime.delete(stubbornId).then(() => undefined, (e) => e);
        assert.ok(
          error instanceof RuntimeCommandError,
          `expected a RuntimeCommandError, got ${error}`,
        );
        assert.ok(!(error instanceof ContainerNotFoundError), `not a not-found error: ${error}`);
        assert.equal((await runtime.state(stubbornId)).status, "running");
        assert.ok(isAlive(stubborn), "the container died from a refused delete");
      },
    );

    await step("kill with an unknown signal name is refused before the runtime runs", async () => {
      assert.ok(stubborn, "no container from the previous step");
      await assert.rejects(runtime.kill(stubbornId, "BOGUS"), InvalidArgumentError);
      await assert.rejects(runtime.kill(stubbornId, 0), InvalidArgumentError);
      assert.equal((await runtime.state(stubbornId)).status, "running");
      assert.ok(isAlive(stubborn), "the container died from a refused signal");
    });

    await step("kill KILL stops a container that ignores TERM", async () => {
      assert.ok(stubborn, "no container from the previous steps");
      await runtime.kill(stubbornId, "TERM");
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal((await runtime.state(stubbornId)).status, "running", "TERM was not ignored");
      assert.ok(isAlive(stubborn), "TERM was not ignored");
      await runtime.kill(stubbornId, "KILL");
      await stopped(stubbornId);
      await poll(() => isAlive(stubborn!), (alive) => !alive, `init ${stubborn.pid} to be gone`, {
        timeout: WAIT,
      });
      await stubbornOut.end(WAIT);
      await deleted(stubbornId);
    });

    await step("create of an existing id fails and leaves the first container intact", async () => {
      const id = `${prefix}-twice`;
      const firstOut = new TextSink();
      const first = await bundle(`${ON_TERM}; echo out:first; ${IDLE}`);
      const second = await bundle(`echo out:second`);
      const secondOut = new TextSink();
      const process = await create(id, first.dir, { stdout: firstOut.writable });
      const error = await runtime.create(id, second.dir, { stdout: secondOut.writable }).then(
        () => undefined,
        (e) => e,
      );
      assert.ok(
        error instanceof RuntimeCommandError,
        `expected a RuntimeCommandError, got ${error}`,
      );
      const state = await runtime.state(id);
      assert.equal(state.status, "created", "the first container's status changed");
      assert.equal(state.pid, process.pid, "the first container's pid changed");
      if (state.bundle !== undefined) assert.equal(state.bundle, first.dir);
      assert.ok(isAlive(process), "the first container's init died");
      await runtime.start(id);
      await firstOut.contains("out:first\n", WAIT);
      assert.ok(!secondOut.text.includes("out:second"), "the refused container ran");
      await runtime.kill(id, "TERM");
      await stopped(id);
      await deleted(id);
    });

    if (runtime.run !== undefined) {
      await step(
        "run (optional) creates and starts in one call and refuses a taken id",
        () =>
          checkRun({
            runtime,
            id: `${prefix}-run`,
            wait: WAIT,
            bundle,
            made: (id, process) => made.push({ id, process }),
            stopped,
            deleted,
          }, `${ON_TERM}; echo out:ran; echo err:ran >&2; ${IDLE}`),
      );
    }

    await step(
      "kill, start and delete of an unknown id fail with ContainerNotFoundError",
      async () => {
        const id = `${prefix}-ghost`;
        assert.deepEqual(await runtime.state(id), { status: "", pid: 0 });
        await assert.rejects(runtime.kill(id, "TERM"), ContainerNotFoundError);
        await assert.rejects(runtime.start(id), ContainerNotFoundError);
        await assert.rejects(runtime.delete(id), ContainerNotFoundError);
      },
    );

    await step(`${parallel} containers go through the whole lifecycle in parallel`, async () => {
      const dirs = await Promise.all(
        Array.from(
          { length: parallel },
          (_, i) => bundle(`${ON_TERM}; echo out:hello-${i}; ${IDLE}`),
        ),
      );
      await Promise.all(dirs.map(async ({ dir }, i) => {
        const id = `${prefix}-p${i}`;
        const sink = new TextSink();
        const process = await create(id, dir, { stdout: sink.writable });
        await runtime.start(id);
        await sink.contains(`out:hello-${i}\n`, WAIT);
        assert.equal((await runtime.state(id)).status, "running");
        await runtime.kill(id, "TERM");
        await stopped(id);
        await poll(() => isAlive(process), (alive) => !alive, `init of "${id}" to be gone`, {
          timeout: WAIT,
        });
        await sink.end(WAIT);
        assert.equal(sink.text, `out:hello-${i}\nout:term-handled\n`, `output of "${id}"`);
        await deleted(id);
      }));
    });

    await runCallChecks({
      runtime,
      plugin: options.plugin && { plugin: options.plugin, options: options.pluginOptions ?? {} },
      prefix,
      step,
      track: (id) => made.push({ id }),
      keep: (made) => bundles.push(made),
    });

    await step("at the end the state root is empty and no container process is alive", async () => {
      const left = [];
      for await (const entry of Deno.readDir(root)) left.push(entry.name);
      assert.deepEqual(left, [], `state root ${root} still holds entries`);
      const alive = [];
      for (const { id, process } of made) {
        if (process && isAlive(process)) alive.push(`${id} (pid ${process.pid})`);
      }
      assert.deepEqual(alive, [], "container processes still alive");
    });
  } finally {
    // Whatever a failed check left behind.
    for (const { id } of made) await runtime.delete(id, { force: true }).catch(() => {});
    await Promise.all(bundles.map((b) => b.remove()));
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}
