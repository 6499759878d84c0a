import assert from "node:assert/strict";
import { ContainerSpecError, parseContainerSpec } from "./mod.ts";

function refused(input: unknown, field: string, expected: RegExp, path?: string): void {
  assert.throws(() => parseContainerSpec(input, { path }), (error) => {
    assert.ok(error instanceof ContainerSpecError, String(error));
    assert.equal(error.field, field);
    assert.equal(error.argument, field);
    assert.match(error.expected, expected);
    assert.ok(error.message.startsWith(`Invalid ${field} `), error.message);
    return true;
  });
}

const ROOT = "/srv/rootfs";

Deno.test("a full spec parses into the same typed spec", () => {
  const input = {
    rootfs: ROOT,
    process: {
      args: ["sh", "-c", "echo hi"],
      entrypoint: [],
      env: ["A=1", "EMPTY="],
      cwd: "/work",
      user: "www-data:www-data",
    },
    hostname: "web-1.local",
    mounts: [
      { type: "bind", source: "/data", destination: "/data", readonly: true, options: ["nosuid"] },
      { type: "tmpfs", destination: "/tmp", size: "16m", mode: 0o1777 },
    ],
    resources: { memoryLimit: "64m", cpuShares: 512, cpuQuota: 50000, pidsLimit: 32 },
    readonlyRootfs: true,
    imageConfig: "/images/web/config.json",
    privileged: false,
    pod: { pid: 1234, share: ["network"] },
  };
  const spec = parseContainerSpec(input);
  assert.deepEqual(spec.process, input.process);
  assert.equal(spec.resources?.memoryLimit, 64 * 1024 * 1024);
  assert.deepEqual(spec.mounts?.[1], {
    type: "tmpfs",
    destination: "/tmp",
    size: 16 * 1024 * 1024,
    mode: "1777",
  });
  assert.deepEqual(spec.pod, { pid: 1234, share: ["network"] });
});

Deno.test("a relative or missing rootfs is refused naming rootfs", () => {
  refused({ rootfs: "rootfs" }, "rootfs", /absolute path/);
  refused({ rootfs: "/srv/../etc" }, "rootfs", /without "\.\."/);
  refused({}, "rootfs", /absolute path/);
});

Deno.test("the path option prefixes every field path", () => {
  refused({ rootfs: "rootfs" }, "containers[2].rootfs", /absolute/, "containers[2]");
  refused(
    { rootfs: ROOT, process: { user: "a b" } },
    "containers[2].process.user",
    /uid:gid/,
    "containers[2]",
  );
  refused(null, "containers[2]", /an object/, "containers[2]");
});

Deno.test("a user that is not uid:gid or a name is refused naming process.user", () => {
  for (const user of ["1000:", ":1000", "a:b:c", "has space", "", 1000]) {
    refused({ rootfs: ROOT, process: { user } }, "process.user", /uid:gid|non-empty/);
  }
});

Deno.test("a mount destination that is not absolute is refused naming the mount", () => {
  refused(
    {
      rootfs: ROOT,
      mounts: [{ type: "tmpfs", destination: "/ok" }, { type: "tmpfs", destination: "tmp" }],
    },
    "mounts[1].destination",
    /absolute path/,
  );
  refused(
    { rootfs: ROOT, mounts: [{ type: "bind", source: "data", destination: "/data" }] },
    "mounts[0].source",
    /absolute path/,
  );
  refused(
    { rootfs: ROOT, mounts: [{ type: "tmpfs", destination: "/" }] },
    "mounts[0].destination",
    /below/,
  );
  refused(
    { rootfs: ROOT, mounts: [{ type: "overlay", destination: "/x" }] },
    "mounts[0].type",
    /"bind" or "tmpfs"/,
  );
  refused(
    { rootfs: ROOT, mounts: [{ type: "tmpfs", destination: "/x", options: ["size=1m,exec"] }] },
    "mounts[0].options[0]",
    /without commas/,
  );
});

Deno.test("negative or zero limits are refused naming the limit", () => {
  refused({ rootfs: ROOT, resources: { pidsLimit: -1 } }, "resources.pidsLimit", /at least 1/);
  refused({ rootfs: ROOT, resources: { memoryLimit: -5 } }, "resources.memoryLimit", /positive/);
  refused({ rootfs: ROOT, resources: { memoryLimit: "-5m" } }, "resources.memoryLimit", /positive/);
  refused({ rootfs: ROOT, resources: { cpuShares: -2 } }, "resources.cpuShares", /from 2/);
  refused({ rootfs: ROOT, resources: { cpuQuota: -1000 } }, "resources.cpuQuota", /at least 1000/);
  refused({ rootfs: ROOT, resources: { cpuPeriod: 0 } }, "resources.cpuPeriod", /from 1000/);
  refused({ rootfs: ROOT, resources: { pidsLimit: 1.5 } }, "resources.pidsLimit", /integer/);
  refused(
    { rootfs: ROOT, mounts: [{ type: "tmpfs", destination: "/t", size: 0 }] },
    "mounts[0].size",
    /positive/,
  );
});

Deno.test("unknown fields are refused unless the caller owns them", () => {
  refused({ rootfs: ROOT, procss: {} }, "procss", /no such field/);
  refused({ rootfs: ROOT, process: { argv: [] } }, "process.argv", /no such field/);
  const spec = parseContainerSpec({ id: "web", restart: "always", rootfs: ROOT }, {
    extraFields: ["id", "restart"],
  });
  assert.deepEqual(spec, { rootfs: ROOT });
});

Deno.test("bad process fields are refused naming them", () => {
  refused({ rootfs: ROOT, process: { args: [] } }, "process.args", /non-empty/);
  refused({ rootfs: ROOT, process: { args: ["sh", 1] } }, "process.args[1]", /string/);
  refused({ rootfs: ROOT, process: { env: ["A=1", "NOEQUALS"] } }, "process.env[1]", /NAME=value/);
  refused({ rootfs: ROOT, process: { cwd: "work" } }, "process.cwd", /absolute/);
  refused({ rootfs: ROOT, readonlyRootfs: "yes" }, "readonlyRootfs", /true or false/);
  refused({ rootfs: ROOT, imageConfig: "config.json" }, "imageConfig", /absolute/);
  refused({ rootfs: ROOT, hostname: "bad_host" }, "hostname", /host name/);
});

Deno.test("pod membership is checked and a hostname conflicts with a shared UTS namespace", () => {
  refused({ rootfs: ROOT, pod: { pid: 0 } }, "pod.pid", /at least|from 1/);
  refused({ rootfs: ROOT, pod: { pid: 5, share: ["pid"] } }, "pod.share[0]", /"network"/);
  refused({ rootfs: ROOT, pod: { pid: 5, share: ["ipc", "ipc"] } }, "pod.share", /at most once/);
  refused({ rootfs: ROOT, hostname: "web", pod: { pid: 5 } }, "hostname", /UTS/);
  const spec = parseContainerSpec({
    rootfs: ROOT,
    hostname: "web",
    pod: { pid: 5, share: ["network"] },
  });
  assert.equal(spec.hostname, "web");
});
