// weft-init runs containers given by rootfs + process (issue 6): it generates
// their bundles with @weft/bundle, joins a pod container's namespaces, removes
// a bundle when its container is deleted, and refuses a bad spec before any
// container runs, naming the field.
import { deepStrictEqual, ok as assert, strictEqual as assertEquals } from "node:assert/strict";
import { createBusyboxBundle } from "@weft/runtime/testing";
import { missing, PodDir, podTest, runInit, startInit, waitForStatus } from "./_init_harness.ts";

/** A busybox rootfs in the pod directory, with a user "app" (1000) in /etc/passwd. */
async function busyboxRootfs(pod: PodDir): Promise<string> {
  const bundle = await createBusyboxBundle({ parent: pod.dir });
  const rootfs = `${bundle.dir}/rootfs`;
  await Deno.writeTextFile(
    `${rootfs}/etc/passwd`,
    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n",
  );
  await Deno.writeTextFile(`${rootfs}/etc/group`, "root:x:0:\napp:x:1000:\n");
  return rootfs;
}

/** The runtime section: crun needs its cgroup manager off on these hosts (see @weft/bundle's README). */
function runtimeSection(runtime: string): Record<string, unknown> {
  return runtime === "crun" ? { options: { cgroupManager: "disabled" } } : {};
}

const REPORT = "echo net=$(readlink /proc/self/ns/net) pid=$(readlink /proc/self/ns/pid)";
// Ends on TERM: crun with its cgroup manager disabled cannot `kill --all`, so
// the stop must not depend on the KILL that follows the grace period.
const SERVE = "trap 'exit 0' TERM; sleep 60 & wait";

function field(stdout: string, id: string, name: string): string | undefined {
  return new RegExp(`^\\[${id}\\] .*\\b${name}=(\\S+)`, "m").exec(stdout)?.[1];
}

podTest(
  "rootfs containers run from generated bundles and share the pod's network namespace",
  async ({ pod, runtime, mode }) => {
    const rootfs = await busyboxRootfs(pod);
    const config = await pod.write(runtime, {
      runtime: runtimeSection(runtime),
      containers: [
        {
          id: "wb-app",
          rootfs,
          shareNamespacesWith: "wb-pause",
          readonlyRootfs: true,
          stop: { grace: 500 },
          mounts: [{ type: "tmpfs", destination: "/tmp" }],
          process: {
            args: ["sh", "-c", `${REPORT} user=$(id -u); ${SERVE}`],
            user: "app",
          },
        },
        {
          id: "wb-pause",
          rootfs,
          hostname: "pod",
          stop: { grace: 500 },
          process: { args: ["sh", "-c", `${REPORT}; ${SERVE}`] },
        },
        {
          id: "wb-once",
          rootfs,
          restart: { policy: "never" },
          process: { args: ["sh", "-c", "echo once=done"] },
        },
      ],
    });
    await using init = startInit(config, mode);
    // Whole lines: the last field of each container's line has arrived.
    await init.waitForOutput((stdout) =>
      field(stdout, "wb-app", "user") !== undefined &&
      field(stdout, "wb-pause", "pid") !== undefined &&
      stdout.includes("[wb-once] once=done")
    );
    const out = init.stdout;
    assertEquals(field(out, "wb-app", "net"), field(out, "wb-pause", "net"), out);
    assert(field(out, "wb-app", "pid") !== field(out, "wb-pause", "pid"), out);
    assertEquals(field(out, "wb-app", "user"), "1000", out);
    // The once container has exited and been deleted: its generated bundle is gone.
    await waitForStatus(pod, (s) =>
      s.containers["wb-once"]?.state === "exited" &&
      s.containers["wb-app"]?.state === "running");
    const bundles = await runtimeBundles(runtime, pod.root);
    assert(bundles["wb-app"]?.endsWith("/bundles/wb-app"), JSON.stringify(bundles));
    const generated = JSON.parse(await Deno.readTextFile(`${bundles["wb-app"]}/config.json`));
    assertEquals(generated.root.path, rootfs);
    assertEquals(generated.root.readonly, true);
    const runDir = bundles["wb-app"].slice(0, -"/bundles/wb-app".length);
    await Deno.stat(`${runDir}/bundles/wb-once`).then(
      () => assert(false, "the bundle of the deleted container wb-once is still there"),
      (error) => assert(error instanceof Deno.errors.NotFound),
    );
    await init.kill("SIGTERM");
    const { code, stderr } = await init.exited;
    assertEquals(code, 0, stderr);
    deepStrictEqual(await pod.rootEntries(), []);
  },
);

/** The bundle directory of each container the runtime knows, from `state`. */
async function runtimeBundles(runtime: string, root: string): Promise<Record<string, string>> {
  const bundles: Record<string, string> = {};
  for await (const entry of Deno.readDir(root)) {
    const { stdout } = await new Deno.Command(runtime, {
      args: ["--root", root, "state", entry.name],
      stdout: "piped",
      stderr: "null",
    }).output();
    const state = JSON.parse(new TextDecoder().decode(stdout) || "{}");
    if (typeof state.bundle === "string") bundles[entry.name] = state.bundle;
  }
  return bundles;
}

Deno.test({
  name: "a bad rootfs container stops weft-init before any container runs, naming the field",
  ignore: missing("runc", "child"),
  async fn(): Promise<void> {
    await using pod = await PodDir.create();
    const rootfs = await busyboxRootfs(pod);
    const args = { args: ["true"] };
    const cases: [unknown[], string][] = [
      [
        [{ id: "wb-a", rootfs: "rootfs", process: args }],
        'containers[0].rootfs: expected an absolute path (starting with "/", without ".." components), got "rootfs"',
      ],
      [
        [{ id: "wb-a", rootfs: `${pod.dir}/none`, process: args }],
        `containers[0].rootfs: expected an existing directory (No such file or directory`,
      ],
      [
        [{ id: "wb-a", bundle: "/x" }, {
          id: "wb-b",
          rootfs,
          process: { ...args, user: "nobody" },
        }],
        `containers[1].process.user: expected "uid:gid" or a user name in ${rootfs}/etc/passwd (no user "nobody" there), got "nobody"`,
      ],
      [
        [{ id: "wb-a", rootfs, process: args, mounts: [{ type: "tmpfs", destination: "tmp" }] }],
        "containers[0].mounts[0].destination: expected an absolute path",
      ],
      [
        [{ id: "wb-a", rootfs, process: args, resources: { pidsLimit: -1 } }],
        "containers[0].resources.pidsLimit: expected at least 1, got -1",
      ],
      [
        [{ id: "wb-a", rootfs, process: args, shareNamespacesWith: "wb-z" }],
        'containers[0].shareNamespacesWith: unknown container "wb-z"',
      ],
      [
        [{ id: "wb-a", bundle: "/x", process: args }],
        "containers[0].process: only allowed with rootfs",
      ],
      [[{ id: "wb-a", rootfs }], "containers[0].process.args: expected a command"],
    ];
    for (const [containers, message] of cases) {
      const config = await pod.write("runc", { containers });
      const { code, stderr } = await runInit(["--config", config]);
      assertEquals(code, 2, stderr);
      assert(stderr.includes(message), `${message}\n---\n${stderr}`);
      deepStrictEqual(await pod.rootEntries(), []);
    }
  },
});
