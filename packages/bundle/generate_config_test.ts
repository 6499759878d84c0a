import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { configSchemaErrors } from "./_oci_schema_test_utils.ts";
import {
  ALL_CAPABILITIES,
  type ContainerSpec,
  ContainerSpecError,
  DEFAULT_CAPABILITIES,
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  generateConfig,
  type OciConfig,
  parseContainerSpec,
} from "./mod.ts";

interface Fixture extends AsyncDisposable {
  rootfs: string;
  image: string;
  dir: string;
}

async function fixture(image: unknown = {}): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "weft-bundle-gen-" });
  const rootfs = `${dir}/rootfs`;
  await Deno.mkdir(`${rootfs}/etc`, { recursive: true });
  await Deno.writeTextFile(
    `${rootfs}/etc/passwd`,
    "root:x:0:0:root:/root:/bin/sh\napp:x:100:101:App:/home/app:/bin/sh\n",
  );
  await Deno.writeTextFile(`${rootfs}/etc/group`, "root:x:0:\napp:x:101:\nlogs:x:7:app\n");
  await Deno.writeTextFile(`${dir}/image.json`, JSON.stringify(image));
  return {
    rootfs,
    image: `${dir}/image.json`,
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

async function valid(config: OciConfig): Promise<OciConfig> {
  assert.deepEqual(await configSchemaErrors(config), []);
  return config;
}

async function refused(spec: unknown, field: string, expected: RegExp): Promise<void> {
  await assert.rejects(generateConfig(spec), (error) => {
    assert.ok(error instanceof ContainerSpecError, String(error));
    assert.equal(error.field, field);
    assert.match(error.message, expected);
    return true;
  });
}

Deno.test("a minimal spec gets a careful engine's defaults and validates", async () => {
  await using f = await fixture();
  const config = await valid(await generateConfig({ rootfs: f.rootfs, process: { args: ["sh"] } }));
  assert.equal(config.root.path, f.rootfs);
  assert.equal(config.root.readonly, false);
  assert.equal(config.process.terminal, false);
  assert.deepEqual(config.process.user, { uid: 0, gid: 0 });
  assert.equal(config.process.cwd, "/");
  assert.ok(config.process.env.includes("HOME=/root"));
  assert.ok(config.process.env.some((entry) => entry.startsWith("PATH=")));
  assert.equal(config.process.noNewPrivileges, true);
  assert.deepEqual(config.process.capabilities.bounding, DEFAULT_CAPABILITIES);
  assert.deepEqual(config.process.capabilities.effective, DEFAULT_CAPABILITIES);
  assert.deepEqual(config.process.capabilities.permitted, DEFAULT_CAPABILITIES);
  assert.equal(DEFAULT_CAPABILITIES.length, 14);
  assert.deepEqual(
    config.linux.namespaces.map((namespace) => namespace.type).sort(),
    ["ipc", "mount", "network", "pid", "uts"],
  );
  assert.ok(config.linux.namespaces.every((namespace) => namespace.path === undefined));
  assert.deepEqual(config.linux.maskedPaths, DEFAULT_MASKED_PATHS);
  assert.deepEqual(config.linux.readonlyPaths, DEFAULT_READONLY_PATHS);
  assert.deepEqual(config.linux.resources, { devices: [{ allow: false, access: "rwm" }] });
  assert.deepEqual(config.mounts.map((mount) => mount.destination), [
    "/proc",
    "/dev",
    "/dev/pts",
    "/dev/shm",
    "/dev/mqueue",
    "/sys",
    "/sys/fs/cgroup",
  ]);
  for (const destination of ["/sys", "/sys/fs/cgroup"]) {
    const mount = config.mounts.find((candidate) => candidate.destination === destination);
    assert.ok(mount?.options?.includes("ro"), destination);
  }
  assert.equal(config.hostname, undefined);
});

const runc = await requireBinary("runc");

Deno.test({
  name: "the defaults are those runc spec writes",
  ignore: runc === undefined,
  async fn(): Promise<void> {
    await runcSpecMatches(runc!);
  },
});

async function runcSpecMatches(runc: string): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await new Deno.Command(runc, { args: ["spec"], cwd: dir }).output();
    const reference = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
    await using f = await fixture();
    const config = await generateConfig({ rootfs: f.rootfs, process: { args: ["sh"] } });
    assert.deepEqual(config.linux.maskedPaths, reference.linux.maskedPaths);
    assert.deepEqual(config.linux.readonlyPaths, reference.linux.readonlyPaths);
    assert.deepEqual(config.mounts, reference.mounts);
    assert.deepEqual(config.linux.resources?.devices, reference.linux.resources.devices);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("every spec field lands in the config, and the config validates", async () => {
  await using f = await fixture();
  const config = await valid(
    await generateConfig(
      {
        rootfs: f.rootfs,
        process: { args: ["app", "--serve"], env: ["MODE=prod"], cwd: "/srv", user: "app" },
        hostname: "api",
        readonlyRootfs: true,
        mounts: [
          { type: "bind", source: f.dir, destination: "/data", readonly: true },
          { type: "tmpfs", destination: "/tmp", size: "8m", mode: "755", options: ["noexec"] },
        ],
        resources: {
          memoryLimit: "64m",
          cpuShares: 512,
          cpuQuota: 50_000,
          pidsLimit: 20,
        },
      } satisfies ContainerSpec,
      { id: "ignored-when-hostname-given" },
    ),
  );
  assert.deepEqual(config.process.args, ["app", "--serve"]);
  assert.deepEqual(config.process.user, { uid: 100, gid: 101, additionalGids: [7] });
  assert.ok(config.process.env.includes("MODE=prod"));
  assert.ok(config.process.env.includes("HOME=/home/app"));
  assert.equal(config.process.cwd, "/srv");
  assert.equal(config.hostname, "api");
  assert.equal(config.root.readonly, true);
  assert.deepEqual(config.mounts.slice(-2), [
    { destination: "/data", type: "bind", source: f.dir, options: ["rbind", "rprivate", "ro"] },
    {
      destination: "/tmp",
      type: "tmpfs",
      source: "tmpfs",
      options: ["nosuid", "nodev", "mode=755", "size=8388608", "noexec"],
    },
  ]);
  assert.deepEqual(config.linux.resources, {
    devices: [{ allow: false, access: "rwm" }],
    memory: { limit: 64 * 1024 * 1024 },
    cpu: { shares: 512, quota: 50_000, period: 100_000 },
    pids: { limit: 20 },
  });
});

Deno.test("privileged gives every capability of this host and no masked or read-only paths", async () => {
  await using f = await fixture();
  const config = await valid(
    await generateConfig({ rootfs: f.rootfs, process: { args: ["sh"] }, privileged: true }),
  );
  const bounding = BigInt(
    `0x${/^CapBnd:\s*(\S+)$/m.exec(await Deno.readTextFile("/proc/self/status"))![1]}`,
  );
  assert.deepEqual(
    config.process.capabilities.bounding,
    ALL_CAPABILITIES.filter((_, bit) => (bounding & (1n << BigInt(bit))) !== 0n),
  );
  assert.ok(config.process.capabilities.bounding.includes("CAP_SYS_ADMIN"));
  assert.equal(config.process.noNewPrivileges, false);
  assert.equal(config.linux.maskedPaths, undefined);
  assert.equal(config.linux.readonlyPaths, undefined);
  assert.deepEqual(config.linux.resources?.devices, [{ allow: true, access: "rwm" }]);
  const sys = config.mounts.find((mount) => mount.destination === "/sys");
  assert.ok(sys?.options?.includes("rw"));
});

Deno.test("the id becomes the hostname only when it is a host name and the UTS namespace is own", async () => {
  await using f = await fixture();
  const spec = { rootfs: f.rootfs, process: { args: ["sh"] } };
  assert.equal((await generateConfig(spec, { id: "web-1" })).hostname, "web-1");
  assert.equal((await generateConfig(spec, { id: "web_1" })).hostname, undefined);
  const member = await generateConfig({ ...spec, pod: { pid: Deno.pid } }, { id: "web-2" });
  assert.equal(member.hostname, undefined);
  await valid(member);
});

Deno.test("a pod member joins the pod's namespaces by /proc path and keeps its own pid namespace", async () => {
  await using f = await fixture();
  const all = await valid(
    await generateConfig({ rootfs: f.rootfs, process: { args: ["sh"] }, pod: { pid: Deno.pid } }),
  );
  assert.deepEqual(all.linux.namespaces, [
    { type: "pid" },
    { type: "mount" },
    { type: "network", path: `/proc/${Deno.pid}/ns/net` },
    { type: "ipc", path: `/proc/${Deno.pid}/ns/ipc` },
    { type: "uts", path: `/proc/${Deno.pid}/ns/uts` },
  ]);
  const network = await generateConfig({
    rootfs: f.rootfs,
    process: { args: ["sh"] },
    hostname: "own",
    pod: { pid: Deno.pid, share: ["network"] },
  });
  assert.deepEqual(network.linux.namespaces.filter((namespace) => namespace.path), [
    { type: "network", path: `/proc/${Deno.pid}/ns/net` },
  ]);
  assert.equal(network.hostname, "own");
});

Deno.test("a spec from parseContainerSpec is not checked again, and a pod given late is", async () => {
  await using f = await fixture();
  const spec = parseContainerSpec({ rootfs: f.rootfs, process: { args: ["sh"] } });
  // Changing a parsed spec breaks its contract: what shows it is taken as checked.
  (spec as { hostname?: string }).hostname = "not a host name";
  assert.equal((await generateConfig(spec)).hostname, "not a host name");
  await refused({ ...spec }, "hostname", /host name/);

  const named = parseContainerSpec({
    rootfs: f.rootfs,
    process: { args: ["sh"] },
    hostname: "own",
  });
  const joined = await valid(
    await generateConfig(named, { pod: { pid: Deno.pid, share: ["network"] } }),
  );
  assert.deepEqual(joined.linux.namespaces.filter((namespace) => namespace.path), [
    { type: "network", path: `/proc/${Deno.pid}/ns/net` },
  ]);
  await assert.rejects(
    generateConfig(named, { pod: { pid: Deno.pid }, path: "containers[1]" }),
    (error) => error instanceof ContainerSpecError && error.field === "containers[1].hostname",
  );
  await assert.rejects(
    generateConfig(named, { pod: { pid: 0 } }),
    (error) => error instanceof ContainerSpecError && error.field === "pod.pid",
  );
});

Deno.test("an image config fills what the spec leaves out, with Docker's precedence", async () => {
  await using f = await fixture({
    architecture: "amd64",
    os: "linux",
    config: {
      Entrypoint: ["/entry.sh"],
      Cmd: ["serve", "--port", "80"],
      Env: ["PATH=/app/bin:/bin", "LANG=C.UTF-8"],
      WorkingDir: "/app",
      User: "app",
    },
    rootfs: { type: "layers", diff_ids: [] },
  });
  const base = { rootfs: f.rootfs, imageConfig: f.image };
  const both = await valid(await generateConfig(base));
  assert.deepEqual(both.process.args, ["/entry.sh", "serve", "--port", "80"]);
  assert.deepEqual(both.process.env, ["PATH=/app/bin:/bin", "LANG=C.UTF-8", "HOME=/home/app"]);
  assert.equal(both.process.cwd, "/app");
  assert.equal(both.process.user.uid, 100);
  const args = await generateConfig({ ...base, process: { args: ["migrate"], user: "0:0" } });
  assert.deepEqual(args.process.args, ["/entry.sh", "migrate"]);
  assert.equal(args.process.user.uid, 0);
  const entrypoint = await generateConfig({ ...base, process: { entrypoint: ["/bin/sh"] } });
  assert.deepEqual(entrypoint.process.args, ["/bin/sh"]);
});

Deno.test("filesystem problems are refused naming the field, before anything is written", async () => {
  await using f = await fixture({ config: { Cmd: "not an array" } });
  await refused(
    { rootfs: `${f.dir}/missing`, process: { args: ["sh"] } },
    "rootfs",
    /existing directory/,
  );
  await refused({ rootfs: f.image, process: { args: ["sh"] } }, "rootfs", /a directory/);
  await refused(
    { rootfs: f.rootfs, process: { args: ["sh"], user: "nobody" } },
    "process.user",
    /no user "nobody"/,
  );
  await refused(
    { rootfs: f.rootfs, imageConfig: f.image },
    "imageConfig",
    /config\.Cmd is an array/,
  );
  await refused({ rootfs: f.rootfs, imageConfig: `${f.dir}/none.json` }, "imageConfig", /readable/);
  await refused(
    {
      rootfs: f.rootfs,
      process: { args: ["sh"] },
      mounts: [{ type: "bind", source: `${f.dir}/nope`, destination: "/x" }],
    },
    "mounts[0].source",
    /existing path/,
  );
  await refused(
    { rootfs: f.rootfs, process: { args: ["sh"] }, pod: { pid: 4_000_000 } },
    "pod.pid",
    /live process/,
  );
  await refused({ rootfs: f.rootfs }, "process.args", /a command/);
});

Deno.test("an image's unknown user is refused naming the image config", async () => {
  await using f = await fixture({ config: { Cmd: ["sh"], User: "ghost" } });
  await refused(
    { rootfs: f.rootfs, imageConfig: f.image },
    "imageConfig (its config.User)",
    /no user "ghost"/,
  );
});

Deno.test("every combination of spec options gives a config the schema accepts", async () => {
  await using f = await fixture({ config: { Entrypoint: ["/entry"], Cmd: ["run"], User: "app" } });
  const resources = [
    undefined,
    { pidsLimit: 1 },
    { memoryLimit: 1, cpuShares: 2, cpuQuota: 1000, cpuPeriod: 1000 },
    { cpuPeriod: 1_000_000 },
  ];
  const pods = [undefined, { pid: Deno.pid }, { pid: Deno.pid, share: [] }, {
    pid: Deno.pid,
    share: ["ipc" as const],
  }];
  const mounts = [undefined, [
    { type: "bind" as const, source: f.dir, destination: "/data", options: ["nosuid"] },
    { type: "tmpfs" as const, destination: "/tmp", size: 1, mode: 0, readonly: true },
  ]];
  let checked = 0;
  for (const privileged of [false, true]) {
    for (const readonlyRootfs of [false, true]) {
      for (const resource of resources) {
        for (const pod of pods) {
          for (const mount of mounts) {
            for (const image of [false, true]) {
              const spec: ContainerSpec = {
                rootfs: f.rootfs,
                privileged,
                readonlyRootfs,
                ...(resource && { resources: resource }),
                ...(pod && { pod }),
                ...(mount && { mounts: mount }),
                ...(image ? { imageConfig: f.image } : { process: { args: ["sh"], user: "1:1" } }),
              };
              const errors = await configSchemaErrors(await generateConfig(spec, { id: "combo" }));
              assert.deepEqual(errors, [], JSON.stringify(spec));
              checked++;
            }
          }
        }
      }
    }
  }
  assert.equal(checked, 256);
});

Deno.test("the schema check is not vacuous: a broken generated config is refused", async () => {
  await using f = await fixture();
  const config = await generateConfig({ rootfs: f.rootfs, process: { args: ["sh"] } });
  const broken = structuredClone(config) as unknown as {
    linux: { namespaces: { type: string }[] };
    process: { user: { uid: number } };
  };
  broken.linux.namespaces[0].type = "bogus";
  broken.process.user.uid = -1;
  const errors = await configSchemaErrors(broken);
  assert.ok(errors.some((error) => error.startsWith("/linux/namespaces/0/type")), errors.join());
  assert.ok(errors.some((error) => error.startsWith("/process/user/uid")), errors.join());
});
