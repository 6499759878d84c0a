// Generated containers are confined as a careful engine's, on the real crun
// and runc: the default seccomp filter (a static probe built here makes the
// raw system calls), "unconfined" and privileged lifting it, the default and
// a configured open-file limit, and a user namespace whose root is an
// unprivileged host uid. Bad values are refused before any runtime runs.
import assert from "node:assert/strict";
import { type ContainerSpec, ContainerSpecError, writeBundle } from "@weft/bundle";
import { requireBinary } from "@weft/runtime/testing";
import {
  bundleTargets,
  busybox,
  busyboxRootfs,
  collector,
  leftovers,
  type Run,
  runBundle,
  type Target,
} from "./_bundle_targets.ts";

const PREFIX = "wip-sec";
const gcc = await requireBinary("gcc");
const work = await Deno.makeTempDir({ prefix: "weft-bundle-sec-" });
// World-searchable: a user namespace's root (an unprivileged host uid) must reach the rootfs.
await Deno.chmod(work, 0o755);
const ready = busybox !== undefined && gcc !== undefined;
const rootfs = `${work}/image/rootfs`;
if (ready) {
  await Deno.mkdir(`${work}/image`);
  await busyboxRootfs(`${work}/image`);
  await Deno.mkdir(`${rootfs}/mnt`);
  await Deno.mkdir(`${rootfs}/data`);
  const source = new URL("./fixtures/seccomp_probe/probe.c", import.meta.url).pathname;
  const built = await new Deno.Command(gcc!, {
    args: ["-static", "-O2", "-o", `${rootfs}/bin/probe`, source, "-lpthread"],
    stderr: "piped",
  }).output();
  assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));
}
globalThis.addEventListener("unload", () => {
  try {
    Deno.removeSync(work, { recursive: true });
  } catch {
    // Already removed by the last test.
  }
});

const targets: Target[] = ready ? await bundleTargets(work) : [];
let serial = 0;

function run(target: Target, spec: Omit<ContainerSpec, "rootfs">): Promise<Run> {
  const id = `${PREFIX}-${target.name}-${++serial}`;
  return runBundle(target, { rootfs, ...spec }, { id, dir: `${work}/run/bundles/${id}` });
}

/** The probe's lines as a map: call name to "0" or the errno's name. */
function probeResults(stdout: string): Map<string, string> {
  return new Map(
    stdout.split("\n").filter((line) => /^\w+=\w+$/.test(line)).map((line) =>
      line.split("=") as [string, string]
    ),
  );
}

const STATUS = "grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status";
// Blocked by the default profile: each fails with EPERM inside.
const BLOCKED = [
  "clone_newuser",
  "unshare_newuser",
  "mount_tmpfs",
  "keyctl",
  "add_key",
  "ptrace_peekuser",
  "bpf",
  "io_uring_setup",
  "userfaultfd",
  "personality_exec",
  "socket_alg",
];

/** This process's own hard open-file limit (what a runtime without CAP_SYS_RESOURCE can give). */
async function ownHardNofile(): Promise<number> {
  const limits = await Deno.readTextFile("/proc/self/limits");
  const row = limits.split("\n").find((line) => line.startsWith("Max open files"))!;
  const hard = row.split(/\s+/)[4];
  return hard === "unlimited" ? Infinity : Number(hard);
}

for (const target of targets) {
  Deno.test(`${target.name}: the default seccomp filter blocks what engines block and lets ordinary work run`, async () => {
    const script = [
      STATUS,
      "probe",
      "unshare -U true 2>/dev/null; echo unshare_applet=$?",
      "mount -t tmpfs none /mnt 2>/dev/null; echo mount_applet=$?",
      "echo data > /tmp/file && cat /tmp/file",
      "sleep 0.01 && echo slept",
      // A server and a client on the loopback interface: the server's answer proves both ran.
      // The server reads the client's line before it answers: with `echo pong | nc -l` the two
      // ends' half-closes raced, and the server sometimes ended before it had read "ping".
      `nc -l -p 7070 127.0.0.1 -e sh -c 'read line; echo "$line" > /tmp/heard; echo pong' & server=$!`,
      // Connect once the server listens (0A: LISTEN on port 7070 = 0x1B9E in /proc/net/tcp).
      "i=0; until grep -q ':1B9E 00000000:0000 0A' /proc/net/tcp; do",
      "  i=$((i + 1)); [ $i -gt 3000 ] && { echo no-listener; kill $server; break; }; usleep 10000",
      "done",
      "echo ping | nc 127.0.0.1 7070",
      "wait $server; cat /tmp/heard",
    ].join("\n");
    const { stdout, config } = await run(target, { process: { args: ["sh", "-c", script] } });
    assert.equal(config.linux.seccomp?.defaultAction, "SCMP_ACT_ERRNO");
    assert.match(stdout, /^Seccomp:\s+2$/m);
    assert.match(stdout, /^NoNewPrivs:\s+1$/m);
    const results = probeResults(stdout);
    for (const call of BLOCKED) assert.equal(results.get(call), "EPERM", `${call}\n${stdout}`);
    for (const call of ["pthread_create", "getpid", "clone", "personality_linux", "socket_inet"]) {
      assert.equal(results.get(call), "0", `${call}\n${stdout}`);
    }
    assert.equal(results.get("clone3"), "ENOSYS"); // So that libc falls back to clone.
    assert.match(stdout, /^unshare_applet=1$/m);
    assert.match(stdout, /^mount_applet=[1-9]/m);
    assert.match(stdout, /^data\nslept\n/m);
    assert.match(stdout, /^pong\nping$/m);
  });

  Deno.test(`${target.name}: seccomp "unconfined" and privileged lift the filter`, async () => {
    const unconfined = await run(target, {
      seccomp: "unconfined",
      process: { args: ["sh", "-c", `${STATUS}\nprobe`] },
    });
    assert.equal(unconfined.config.linux.seccomp, undefined);
    assert.match(unconfined.stdout, /^Seccomp:\s+0$/m);
    assert.match(unconfined.stdout, /^NoNewPrivs:\s+1$/m);
    const lifted = probeResults(unconfined.stdout);
    // Allowed to an unprivileged process by the kernel itself.
    for (const call of ["unshare_newuser", "keyctl", "personality_exec"]) {
      assert.notEqual(lifted.get(call), "EPERM", `${call}\n${unconfined.stdout}`);
    }
    assert.notEqual(lifted.get("clone3"), "ENOSYS");

    const privileged = await run(target, {
      privileged: true,
      process: { args: ["sh", "-c", `${STATUS}\nmount -t tmpfs none /mnt && echo mounted`] },
    });
    assert.equal(privileged.config.linux.seccomp, undefined);
    assert.match(privileged.stdout, /^Seccomp:\s+0$/m);
    assert.match(privileged.stdout, /^NoNewPrivs:\s+0$/m);
    assert.match(privileged.stdout, /^mounted$/m);
  });

  Deno.test(`${target.name}: ulimit shows the default open-file limit and a pod-file rlimit changes it`, async () => {
    const script = "echo $(ulimit -Sn) $(ulimit -Hn) core=$(ulimit -c)";
    const hard = Math.min(524288, await ownHardNofile());
    const defaults = await run(target, { process: { args: ["sh", "-c", script] } });
    assert.equal(
      defaults.stdout.split(" ").slice(0, 2).join(" "),
      `${Math.min(1024, hard)} ${hard}`,
    );
    const set = await run(target, {
      rlimits: { nofile: { soft: 256, hard: 512 }, core: 0 },
      process: { args: ["sh", "-c", script] },
    });
    assert.equal(set.stdout, "256 512 core=0\n");
  });

  Deno.test(`${target.name}: a user namespace makes the container's root an unprivileged host uid`, async () => {
    const data = `${work}/data-${target.name}`;
    await Deno.mkdir(data);
    await Deno.chown(data, 200000, 200000);
    const id = `${PREFIX}-${target.name}-userns-${++serial}`;
    await using bundle = await writeBundle(`${work}/run/bundles/${id}`, {
      rootfs,
      userNamespace: { uidMappings: [{ containerId: 0, hostId: 200000, size: 65536 }] },
      mounts: [{ type: "bind", source: data, destination: "/data" }],
      process: { args: ["sh", "-c", "id -u; id -g; touch /data/made; echo made; exec sleep 60"] },
    }, { id });
    const out = collector();
    const lines = out.lines(3);
    try {
      await target.runtime.create(id, bundle.dir, { stdout: out.stream });
      await target.runtime.start(id);
      assert.deepEqual(await lines, ["0", "0", "made"]);
      const { pid } = await target.runtime.state(id);
      const map = (await Deno.readTextFile(`/proc/${pid}/uid_map`)).trim().split(/\s+/);
      assert.deepEqual(map, ["0", "200000", "65536"]);
      const gidMap = (await Deno.readTextFile(`/proc/${pid}/gid_map`)).trim().split(/\s+/);
      assert.deepEqual(gidMap, ["0", "200000", "65536"]);
      const made = await Deno.stat(`${data}/made`);
      assert.equal(made.uid, 200000);
      assert.equal(made.gid, 200000);
    } finally {
      await target.runtime.delete(id, { force: true }).catch(() => {});
    }
  });
}

Deno.test({
  name: "bad confinement values are refused with their JSON path before any runtime runs",
  ignore: !ready,
  async fn(): Promise<void> {
    const args = { args: ["true"] };
    const profile = `${work}/profile.json`;
    await Deno.writeTextFile(
      profile,
      JSON.stringify({
        defaultAction: "SCMP_ACT_ERRNO",
        syscalls: [{ names: ["read", "frobnicate"], action: "SCMP_ACT_ALLOW" }],
      }),
    );
    const hidden = `${work}/hidden`;
    await Deno.mkdir(`${hidden}/rootfs/bin`, { recursive: true, mode: 0o700 });
    await Deno.chmod(hidden, 0o700);
    const range = { containerId: 0, hostId: 200000, size: 65536 };
    const cases: [unknown, string, RegExp][] = [
      [{ seccomp: profile }, "containers[0].seccomp", /syscalls\[0\]\.names\[1\] "frobnicate"/],
      [
        { seccomp: { defaultAction: "SCMP_ACT_ERRNO", syscalls: [{ names: ["keyctl"] }] } },
        "containers[0].seccomp.syscalls[0].action",
        /one of SCMP_ACT_KILL/,
      ],
      [{ seccomp: "strict" }, "containers[0].seccomp", /"default", "unconfined"/],
      [
        { userNamespace: { uidMappings: [{ containerId: 0, hostId: -1, size: 10 }] } },
        "containers[0].userNamespace.uidMappings[0].hostId",
        /integer from 0/,
      ],
      [
        {
          userNamespace: { uidMappings: [range, { ...range, containerId: 70000, hostId: 210000 }] },
        },
        "containers[0].userNamespace.uidMappings[1].hostId",
        /overlaps no other: .*uidMappings\[0\] already maps hostId 200000-265535/,
      ],
      [
        { userNamespace: { uidMappings: [{ ...range, containerId: 1 }] } },
        "containers[0].userNamespace.uidMappings",
        /holding id 0/,
      ],
      [
        { rlimits: { nofile: { soft: 4096, hard: 1024 } } },
        "containers[0].rlimits.nofile.soft",
        /at most the hard limit 1024/,
      ],
      [{ rlimits: { nofiles: 10 } }, "containers[0].rlimits.nofiles", /resource limit name/],
      [
        { rootfs: `${hidden}/rootfs`, userNamespace: { uidMappings: [range] } },
        "containers[0].rootfs",
        new RegExp(`${hidden} \\(owned by host uid 0, gid 0, mode 700\\) does not let it through`),
      ],
      [
        {
          userNamespace: { uidMappings: [{ ...range, size: 1000 }] },
          process: { ...args, user: "app" },
        },
        "containers[0].userNamespace",
        /ranges holding the process's uid 1000, gid 1000, gid 2000 \(see process.user\)/,
      ],
      [
        {
          userNamespace: { uidMappings: [range] },
          mounts: [{ type: "tmpfs", destination: "/new" }],
        },
        "containers[0].mounts[0].destination",
        /rootfs\/new is missing and .*rootfs is owned by host uid 0.*chown -R 200000:200000/,
      ],
    ];
    if ((await ownHardNofile()) < 2 ** 40) {
      const above = (await ownHardNofile()) + 1;
      const status = await Deno.readTextFile("/proc/self/status");
      const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(status)![1]}`);
      if ((capEff & (1n << 24n)) === 0n) {
        cases.push([
          { rlimits: { nofile: above } },
          "containers[0].rlimits.nofile.hard",
          /this process's hard limit .*CAP_SYS_RESOURCE/,
        ]);
      }
    }
    for (const [fields, field, expected] of cases) {
      const id = `${PREFIX}-bad-${++serial}`;
      const dir = `${work}/run/bundles/${id}`;
      const spec = { rootfs, process: args, ...(fields as object) };
      const refused = writeBundle(dir, spec, { id, path: "containers[0]" });
      await assert.rejects(refused, (error) => {
        assert.ok(error instanceof ContainerSpecError, String(error));
        assert.equal(error.field, field, error.message);
        assert.match(error.message, expected);
        return true;
      }, field);
      await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
    }
  },
});

Deno.test({
  name: "a user namespace the caller's own namespace cannot map is refused with the reason",
  ignore: !ready,
  async fn(): Promise<void> {
    // A process in a user namespace that holds only uid 0 (unshare -U -r):
    // no runtime it starts could map 200000 (runc says "fchown fd 7: invalid
    // argument", crun "writing file /proc/<pid>/gid_map: Operation not permitted").
    const script = `
      import { generateConfig } from "@weft/bundle";
      await generateConfig(${
      JSON.stringify({
        rootfs,
        process: { args: ["true"] },
        userNamespace: { uidMappings: [{ containerId: 0, hostId: 200000, size: 65536 }] },
      })
    }, { path: "containers[0]" }).then(() => console.log("generated"), (error) => console.log(error.message));
    `;
    const { code, stdout, stderr } = await new Deno.Command("unshare", {
      args: ["-U", "-r", Deno.execPath(), "eval", script],
      cwd: new URL("..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.match(
      text,
      /^Invalid containers\[0\]\.userNamespace .*: expected host uids this process's own user namespace holds \(its uid_map: 0 0 1; uids 200000-265535 are not in it/,
    );
  },
});

Deno.test({
  name: "no confined test container is left behind",
  ignore: !ready,
  async fn(): Promise<void> {
    for (const target of targets) assert.deepEqual(await leftovers(work, target), [], target.name);
    await Deno.remove(work, { recursive: true });
  },
});
