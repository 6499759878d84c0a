// A pod file's seccomp, rlimits and userNamespace fields reach the
// containers weft-init runs from a rootfs: the default filter and open-file
// limit, "unconfined" and a configured limit, a mapped root, on the real
// crun and runc.
import assert, { strictEqual as assertEquals } from "node:assert/strict";
import { createBusyboxBundle } from "@weft/runtime/testing";
import { podTest, startInit } from "./_init_harness.ts";

const REPORT = "echo $(grep -E '^Seccomp:' /proc/self/status) nofile=$(ulimit -Sn)/$(ulimit -Hn)";

podTest(
  "a pod file's seccomp, rlimits and userNamespace confine its rootfs containers",
  async ({ pod, runtime, mode }) => {
    const image = await createBusyboxBundle({ parent: pod.dir });
    const rootfs = `${image.dir}/rootfs`;
    // The user namespace's root, an unprivileged host uid, must reach the rootfs.
    for (const dir of [pod.dir, image.dir]) await Deno.chmod(dir, 0o755);
    const config = await pod.write(runtime, {
      // crun needs its cgroup manager off on these hosts (see @weft/bundle's README).
      runtime: runtime === "crun" ? { options: { cgroupManager: "disabled" } } : {},
      containers: [
        {
          id: "sc-default",
          rootfs,
          restart: { policy: "never" },
          process: { args: ["sh", "-c", REPORT] },
        },
        {
          id: "sc-open",
          rootfs,
          restart: { policy: "never" },
          seccomp: "unconfined",
          rlimits: { nofile: { soft: 256, hard: 512 } },
          process: { args: ["sh", "-c", REPORT] },
        },
        {
          id: "sc-userns",
          rootfs,
          restart: { policy: "never" },
          userNamespace: { uidMappings: [{ containerId: 0, hostId: 300000, size: 65536 }] },
          process: { args: ["sh", "-c", "echo uid=$(id -u) map=$(cat /proc/self/uid_map)"] },
        },
      ],
    });
    await using init = startInit(config, mode);
    const { code, stdout, stderr } = await init.exited; // "all-ended": all ran to their end.
    assertEquals(code, 0, stderr);
    const line = (id: string) => new RegExp(`^\\[${id}\\] (.*)$`, "m").exec(stdout)?.[1];
    assertEquals(line("sc-default")?.replace(/\/\d+$/, ""), "Seccomp: 2 nofile=1024", stdout);
    assertEquals(line("sc-open"), "Seccomp: 0 nofile=256/512", stdout);
    assert.match(line("sc-userns") ?? stdout, /^uid=0 map=\s*0\s+300000\s+65536$/);
  },
  { modes: ["child"] },
);
