// Generated bundles run on the real crun and runc: process, read-only rootfs,
// tmpfs, cgroup limits (where this host lets a runtime apply them), hostname,
// and pod namespace sharing. Every generated config is also checked against
// the OCI runtime-spec v1.2.1 schema before it runs.
import assert from "node:assert/strict";
import { type ContainerSpec, ContainerSpecError, writeBundle } from "@weft/bundle";
import { OciCliRuntime, parseProcStat } from "@weft/runtime";
import {
  bundleTargets,
  busybox,
  busyboxRootfs,
  collector,
  leftovers,
  pureV2WithLimits,
  type Run,
  runBundle,
  runc,
  type Target,
} from "./_bundle_targets.ts";

const PREFIX = "wip-bundle";
const work = await Deno.makeTempDir({ prefix: "weft-bundle-rt-" });
// The busybox rootfs every container runs from (the bundle's own config is unused).
const rootfs = `${work}/image/rootfs`;
if (busybox !== undefined) {
  await Deno.mkdir(`${work}/image`);
  await busyboxRootfs(`${work}/image`);
}
// Also when a filter leaves out the last test, which removes it after checking for leftovers.
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(work, { recursive: true });
  } catch {
    // Already removed by the last test.
  }
});

/**
 * The pid of the nearest ancestor in another mount namespace: the host's,
 * when this test runs inside scripts/in_cgroup2_ns.sh.
 */
async function hostMountNsPid(): Promise<number | undefined> {
  const own = await Deno.readLink("/proc/self/ns/mnt");
  let pid = Deno.pid;
  while (pid > 1) {
    pid = parseProcStat(await Deno.readTextFile(`/proc/${pid}/stat`)).ppid;
    const ns = await Deno.readLink(`/proc/${pid}/ns/mnt`).catch(() => own);
    if (ns !== own) return pid;
  }
  return undefined;
}

const targets: Target[] = await bundleTargets(work);
const hostNsPid = Deno.env.get("WEFT_CGROUP2_NS") === "1" && !(await pureV2WithLimits())
  ? await hostMountNsPid()
  : undefined;
if (runc !== undefined && hostNsPid !== undefined) {
  // This test runs in scripts/in_cgroup2_ns.sh (for crun). The host itself
  // mounts cgroup v1 memory and pids hierarchies, which runc uses: run it
  // in the host's mount namespace to show the limits applied.
  const wrapper = `${work}/runc-host-mount-ns`;
  await Deno.writeTextFile(
    wrapper,
    `#!/bin/sh\nexec nsenter --mount=/proc/${hostNsPid}/ns/mnt -- ${runc} "$@"\n`,
  );
  await Deno.chmod(wrapper, 0o755);
  targets.push({
    name: "runc-host-cgroups",
    runtime: new OciCliRuntime({
      name: "runc",
      binary: wrapper,
      root: `${work}/runc-host-cgroups-root`,
    }),
    limits: "applied",
  });
}

let serial = 0;

/** Generates the bundle, checks its config against the schema, runs it to the end. */
function run(target: Target, spec: ContainerSpec): Promise<Run> {
  const id = `${PREFIX}-${target.name}-${++serial}`;
  return runBundle(target, spec, { id, dir: `${work}/run/bundles/${id}` });
}

const LIMIT_SCRIPT = [
  // cgroup v2 (own namespace or not) and v1 layouts, whichever the runtime mounted.
  'cg=$(sed -n "s/^0:://p" /proc/self/cgroup)',
  "for f in /sys/fs/cgroup/pids.max /sys/fs/cgroup$cg/pids.max /sys/fs/cgroup/pids/pids.max; do",
  '  [ -r "$f" ] && { echo "pids=$(cat $f)"; break; }',
  "done",
  "for f in /sys/fs/cgroup/memory.max /sys/fs/cgroup$cg/memory.max /sys/fs/cgroup/memory/memory.limit_in_bytes; do",
  '  [ -r "$f" ] && { echo "memory=$(cat $f)"; break; }',
  "done",
  "echo end",
].join("\n");

for (const target of targets) {
  const ignore = busybox === undefined;

  Deno.test({
    name: `${target.name} runs the generated process with its args, env, cwd, user and hostname`,
    ignore,
    async fn(): Promise<void> {
      const { stdout, config } = await run(target, {
        rootfs,
        process: {
          args: ["sh", "-c", 'id -u; id -g; id -G; pwd; echo "$GREETING $HOME"; hostname', "x"],
          env: ["GREETING=hello"],
          cwd: "/tmp",
          user: "app",
        },
        hostname: "pod-a",
      });
      assert.deepEqual(config.process.user, { uid: 1000, gid: 1000, additionalGids: [2000] });
      assert.equal(stdout, "1000\n1000\n1000 2000\n/tmp\nhello /home/app\npod-a\n");
    },
  });

  Deno.test({
    name: `${target.name} keeps a read-only rootfs read-only while a tmpfs mount is writable`,
    ignore,
    async fn(): Promise<void> {
      const { stdout } = await run(target, {
        rootfs,
        readonlyRootfs: true,
        mounts: [{ type: "tmpfs", destination: "/tmp", size: "1m" }],
        process: {
          args: [
            "sh",
            "-c",
            "if touch /written 2>/dev/null; then echo root-writable; else echo root-readonly; fi\n" +
            "echo data > /tmp/file && cat /tmp/file\n" +
            "grep ' /tmp ' /proc/mounts | cut -d' ' -f1,3",
          ],
        },
      });
      assert.equal(stdout, "root-readonly\ndata\ntmpfs tmpfs\n");
      await assert.rejects(Deno.stat(`${rootfs}/written`), Deno.errors.NotFound);
    },
  });

  Deno.test({
    name: `${target.name} applies pids and memory limits where this host's cgroups allow it`,
    ignore,
    async fn(): Promise<void> {
      const spec: ContainerSpec = {
        rootfs,
        process: { args: ["sh", "-c", LIMIT_SCRIPT] },
        resources: { pidsLimit: 20, memoryLimit: "64m" },
      };
      if (target.limits === "refused") {
        // The controllers are bound to the host's cgroup v1 hierarchies, so the
        // cgroup2 tree has no pids.max/memory.max file to write: runc says so.
        await assert.rejects(run(target, spec), /pids\.max|memory\.max|no such file/i);
        return;
      }
      const { stdout } = await run(target, spec);
      if (target.limits === "applied") {
        assert.match(stdout, /^pids=20$/m);
        assert.match(stdout, /^memory=67108864$/m);
      } else {
        assert.doesNotMatch(stdout, /^pids=20$/m);
        assert.match(stdout, /end\n$/);
      }
    },
  });

  Deno.test({
    name: `${target.name} gives a privileged container every capability this host has`,
    ignore,
    async fn(): Promise<void> {
      const script = "grep -E '^Cap(Bnd|Eff)' /proc/self/status\n" +
        "echo masked=$(grep -cE ' /proc/(sys|bus|fs|irq|sysrq-trigger|keys|timer_list) ' /proc/mounts)";
      const privileged = await run(target, {
        rootfs,
        privileged: true,
        process: { args: ["sh", "-c", script] },
      });
      const own = /^CapBnd:\s*(\S+)$/m.exec(await Deno.readTextFile("/proc/self/status"))![1];
      assert.match(privileged.stdout, new RegExp(`^CapBnd:\\s*${own}$`, "m"));
      assert.match(privileged.stdout, new RegExp(`^CapEff:\\s*${own}$`, "m"));
      assert.match(privileged.stdout, /^masked=0$/m);
      const normal = await run(target, { rootfs, process: { args: ["sh", "-c", script] } });
      assert.match(normal.stdout, /^CapBnd:\s*00000000a80425fb$/m); // Docker's 14.
      assert.doesNotMatch(normal.stdout, /^masked=0$/m);
    },
  });

  Deno.test({
    name:
      `${target.name} runs two pod containers in one network namespace with their own pid namespaces`,
    ignore,
    async fn(): Promise<void> {
      const holderId = `${PREFIX}-${target.name}-holder-${++serial}`;
      await using holderBundle = await writeBundle(`${work}/run/bundles/${holderId}`, {
        rootfs,
        hostname: "pod",
        process: {
          args: [
            "sh",
            "-c",
            "for ns in net pid uts; do readlink /proc/self/ns/$ns; done; exec sleep 60",
          ],
        },
      }, { id: holderId });
      const out = collector();
      const lines = out.lines(3);
      try {
        await target.runtime.create(holderId, holderBundle.dir, { stdout: out.stream });
        await target.runtime.start(holderId);
        const { pid } = await target.runtime.state(holderId);
        assert.ok(pid > 0);
        const [net, pidNs, uts] = await lines;
        const member = await run(target, {
          rootfs,
          pod: { pid },
          process: {
            args: [
              "sh",
              "-c",
              "for ns in net pid uts; do readlink /proc/self/ns/$ns; done; hostname",
            ],
          },
        });
        const [memberNet, memberPid, memberUts, hostname] = member.stdout.trim().split("\n");
        assert.match(net, /^net:\[\d+\]$/);
        assert.equal(memberNet, net);
        assert.equal(memberUts, uts);
        assert.equal(hostname, "pod");
        assert.notEqual(memberPid, pidNs);
        assert.equal(await Deno.readLink(`/proc/${pid}/ns/net`), net);
      } finally {
        await target.runtime.delete(holderId, { force: true }).catch(() => {});
      }
    },
  });
}

Deno.test({
  name: "bad specs are refused naming the field before any runtime runs",
  ignore: targets.length === 0 || busybox === undefined,
  async fn(): Promise<void> {
    const args = { args: ["true"] };
    const cases: [unknown, string, RegExp][] = [
      [{ rootfs: "rootfs", process: args }, "containers[0].rootfs", /absolute path/],
      [{ rootfs: `${work}/missing`, process: args }, "containers[0].rootfs", /existing directory/],
      [{ rootfs, process: { ...args, user: "1000:" } }, "containers[0].process.user", /uid:gid/],
      [
        { rootfs, process: { ...args, user: "nobody" } },
        "containers[0].process.user",
        /no user "nobody"/,
      ],
      [
        { rootfs, process: args, mounts: [{ type: "tmpfs", destination: "tmp" }] },
        "containers[0].mounts[0].destination",
        /absolute path/,
      ],
      [
        { rootfs, process: args, resources: { pidsLimit: -1 } },
        "containers[0].resources.pidsLimit",
        /at least 1/,
      ],
      [
        { rootfs, process: args, resources: { memoryLimit: -1 } },
        "containers[0].resources.memoryLimit",
        /positive/,
      ],
    ];
    for (const [spec, field, expected] of cases) {
      const id = `${PREFIX}-bad-${++serial}`;
      const dir = `${work}/run/bundles/${id}`;
      await assert.rejects(writeBundle(dir, spec, { id, path: "containers[0]" }), (error) => {
        assert.ok(error instanceof ContainerSpecError, String(error));
        assert.equal(error.field, field);
        assert.match(error.message, expected);
        return true;
      });
      await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
      for (const target of targets) {
        // No runtime ever ran: no state directory for the id in any root.
        await assert.rejects(Deno.stat(`${work}/${target.name}-root/${id}`), Deno.errors.NotFound);
      }
    }
  },
});

Deno.test("no test container is left behind", async () => {
  for (const target of targets) {
    assert.deepEqual(await leftovers(work, target), [], target.name);
  }
  await Deno.remove(work, { recursive: true });
});
