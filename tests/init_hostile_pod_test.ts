// Issue 11: hostile pod files get the same verdict from `weft-init validate`
// and from a real run as PID 1 of a PID namespace: exit 2, a message naming
// the JSON path, no container started (each pod also holds a valid container
// whose start would show in the state root and the status file), no state left.
import { ok as assert, strictEqual as assertEquals } from "node:assert/strict";
import { createBusyboxBundle } from "@weft/runtime/testing";
import { missing, PodDir, runInit } from "./_init_harness.ts";

const BIG = 2 ** 31;

/** A hostile pod: the pod file's text given the valid container and pod directory, and the path named. */
interface Hostile {
  name: string;
  text: (ok: Record<string, unknown>, dir: string) => string | Promise<string>;
  path: string;
}

/** A pod file holding the valid container and `bad` (a container, or fields of the pod). */
function pod(ok: Record<string, unknown>, dir: string, extra: Record<string, unknown>): string {
  const { containers = [], ...rest } = extra as { containers?: unknown[] };
  return JSON.stringify({
    runtime: { name: "runc", root: `${dir}/root` },
    statusFile: `${dir}/status.json`,
    ...rest,
    containers: [ok, ...containers],
  });
}

function container(name: string, path: string, bad: Record<string, unknown>): Hostile {
  return {
    name,
    path,
    text: (ok, dir) => pod(ok, dir, { containers: [{ id: "bad", bundle: ok.bundle, ...bad }] }),
  };
}

function field(name: string, path: string, extra: Record<string, unknown>): Hostile {
  return { name, path, text: (ok, dir) => pod(ok, dir, extra) };
}

const HOSTILE: Hostile[] = [
  container("a grace beyond what a timer holds", "containers[1].stop.grace", {
    stop: { grace: BIG },
  }),
  container("a negative grace", "containers[1].stop.grace", { stop: { grace: -1 } }),
  container("a fractional grace", "containers[1].stop.grace", { stop: { grace: 1.5 } }),
  container("a backoff cap too long", "containers[1].restart.backoff.cap", {
    restart: { backoff: { cap: BIG } },
  }),
  container("a backoff initial too long", "containers[1].restart.backoff.initial", {
    restart: { backoff: { initial: 1e300 } },
  }),
  container("a reset delay too long", "containers[1].restart.backoff.resetAfter", {
    restart: { backoff: { resetAfter: BIG } },
  }),
  container("a factor below 1", "containers[1].restart.backoff.factor", {
    restart: { backoff: { factor: 0.5 } },
  }),
  field("a pod stop grace too long", "pod.stopGrace", { pod: { stopGrace: BIG } }),
  field("a call timeout too long", "runtime.callTimeout", {
    runtime: { name: "runc", callTimeout: BIG },
  }),
  field("a call timeout of 0", "runtime.callTimeout", {
    runtime: { name: "runc", callTimeout: 0 },
  }),
  container("a missing bundle directory", "containers[1].bundle", { bundle: "/nonexistent/b" }),
  {
    name: "a bundle without config.json",
    path: "containers[1].bundle",
    text: async (ok, dir) => {
      await Deno.mkdir(`${dir}/empty`, { recursive: true });
      return pod(ok, dir, { containers: [{ id: "bad", bundle: `${dir}/empty` }] });
    },
  },
  container("a relative bundle that is not there", "containers[1].bundle", { bundle: "nowhere" }),
  container("a bundle that is a file", "containers[1].bundle", { bundle: "/etc/hostname" }),
  field("an unknown runtime option", "runtime.options.nmae", {
    runtime: { name: "runc", options: { nmae: 1 } },
  }),
  field("a runtime option with a bad value", "runtime.options.rootless", {
    runtime: { name: "runc", options: { rootless: "sometimes" } },
  }),
  field("a crun option given to runc", "runtime.options.cgroupManager", {
    runtime: { name: "runc", options: { cgroupManager: "disabled" } },
  }),
  field("an inherited key as an option", "runtime.options.constructor", {
    runtime: { name: "runc", options: { constructor: {} } },
  }),
  field("a relative log directory for the plugin", "runtime.options.logDir", {
    runtime: { name: "runc", options: { logDir: "logs" } },
  }),
  {
    name: "a duplicate key in a container",
    path: "containers[1].id",
    text: (ok, dir) =>
      pod(ok, dir, { containers: [{ id: "bad", bundle: ok.bundle }] }).replace(
        '"id":"bad"',
        '"id":"bad","id":"worse"',
      ),
  },
  {
    name: "a duplicate containers key",
    path: "containers",
    text: (ok, dir) => pod(ok, dir, {}).replace(/}$/, `,"containers":[]}`),
  },
  container("an inherited key as a field", "containers[1].constructor", { constructor: 1 }),
  container("toString as a field", "containers[1].toString", { toString: "x" }),
  container("hasOwnProperty as a field", "containers[1].hasOwnProperty", { hasOwnProperty: 1 }),
  {
    name: "__proto__ as a field",
    path: "containers[1].__proto__",
    text: (ok, dir) =>
      pod(ok, dir, { containers: [{ id: "bad", bundle: ok.bundle }] }).replace(
        '"id":"bad"',
        '"__proto__":{},"id":"bad"',
      ),
  },
  container("an unknown field", "containers[1].restrat", { restrat: {} }),
  container("process with a bundle", "containers[1].process", { process: { args: ["sh"] } }),
  container("a relative rootfs", "containers[1].rootfs", {
    bundle: undefined,
    rootfs: "rootfs",
    process: { args: ["true"] },
  }),
  container("both bundle and rootfs", "containers[1]", { rootfs: "/" }),
  container("a rootfs that is not there", "containers[1].rootfs", {
    bundle: undefined,
    rootfs: "/nonexistent/rootfs",
    process: { args: ["true"] },
  }),
  container("process that is a number", "containers[1].process", {
    bundle: undefined,
    rootfs: "/",
    process: 42,
  }),
  container("a bad container id", "containers[1].id", { id: "-rf" }),
  container("a container id with ..", "containers[1].id", { id: "a..b" }),
  container("a duplicate container id", "containers[1].id", { id: "ok" }),
  container("an unknown dependency", "containers[1].dependsOn[0]", { dependsOn: ["ghost"] }),
  container("a self dependency", "containers[1].dependsOn[0]", { dependsOn: ["bad"] }),
  container("an unknown stop signal", "containers[1].stop.signal", { stop: { signal: "NOPE" } }),
  container("a 900 KB string", "containers[1].stdio", { stdio: "x".repeat(900_000) }),
  container("an exit code above 255", "containers[1].restart.neverRestartExitCodes[0]", {
    restart: { neverRestartExitCodes: [256] },
  }),
  container("a policy that does not exist", "containers[1].restart.policy", {
    restart: { policy: "sometimes" },
  }),
  field("an unknown exit code container", "pod.exitCode.id", {
    pod: { exitCode: { from: "container", id: "ghost" } },
  }),
  field("an unknown top-level field", "extra", { extra: true }),
  field("a plugin that is /dev/zero", "runtime.plugins[0]", {
    runtime: { name: "runc", plugins: ["/dev/zero"] },
  }),
  {
    name: "a byte order mark",
    path: "byte order mark",
    text: (ok, dir) => `\uFEFF${pod(ok, dir, {})}`,
  },
  {
    name: "a file larger than a pod file may be",
    path: "larger than",
    text: (ok, dir) => pod(ok, dir, { $schema: "x".repeat(1024 * 1024) }),
  },
];

/** The verdict: the exit code and the message (as PID 1 the init may log its mounts first). */
function verdict(code: number, stderr: string): string {
  const lines = stderr.split("\n").filter((line) =>
    line.startsWith("weft-init: ") || line.startsWith("  ")
  );
  return `${code} ${lines.join("\n")}`;
}

Deno.test({
  name:
    `${HOSTILE.length} hostile pod files get the same verdict from validate and from a run as PID 1, and start nothing`,
  ignore: missing("runc", "pid1"),
  async fn(): Promise<void> {
    assert(HOSTILE.length >= 40);
    await using dir = await PodDir.create();
    const bundle = await createBusyboxBundle({ parent: dir.dir, args: ["sh", "-c", "sleep 5"] });
    const ok = { id: "ok", bundle: bundle.dir, stdio: "none" };
    for (const hostile of HOSTILE) {
      const text = await hostile.text(ok, dir.dir);
      await Deno.writeTextFile(dir.configFile, text);
      const validate = await runInit(["validate", dir.configFile]);
      const run = await runInit(["--config", dir.configFile], "pid1");
      const what = `${hostile.name}:\n${validate.stderr}\n---\n${run.stderr}`;
      assertEquals(validate.code, 2, what);
      assertEquals(verdict(run.code, run.stderr), verdict(validate.code, validate.stderr), what);
      assert(validate.stderr.includes(hostile.path), what);
      assert(validate.stderr.length < 1200, `${hostile.name}: ${validate.stderr.length} bytes`);
      assertEquals(validate.stdout + run.stdout, "", what);
      assertEquals((await dir.rootEntries()).length, 0, `${hostile.name}: state left`);
      assertEquals(await dir.status(), undefined, `${hostile.name}: a status file was written`);
    }
  },
});
