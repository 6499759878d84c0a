// How long generating a config takes (what the init pays per container
// start). Two shared cores and other helpers' tests run on this machine:
// the figures are noisy.
import { defaultSeccomp, generateConfig, parseContainerSpec, writeBundle } from "./mod.ts";

const dir = await Deno.makeTempDir({ prefix: "weft-bundle-bench-" });
const rootfs = `${dir}/rootfs`;
await Deno.mkdir(`${rootfs}/etc`, { recursive: true });
for (const point of ["proc", "dev", "sys"]) await Deno.mkdir(`${rootfs}/${point}`);
// A user namespace's root must be able to reach the rootfs.
await Deno.chmod(dir, 0o755);
await Deno.writeTextFile(
  `${rootfs}/etc/passwd`,
  "root:x:0:0::/root:/bin/sh\n" +
    Array.from({ length: 50 }, (_, i) => `user${i}:x:${1000 + i}:${1000 + i}::/home/u${i}:/bin/sh`)
      .join("\n") +
    "\nweb:x:33:33::/var/www:/bin/sh\n",
);
await Deno.writeTextFile(`${rootfs}/etc/group`, "root:x:0:\nweb:x:33:\nlogs:x:4:web\n");
await Deno.writeTextFile(
  `${dir}/image.json`,
  JSON.stringify({
    config: { Entrypoint: ["/entry.sh"], Cmd: ["serve"], Env: ["A=1"], User: "web" },
  }),
);

const minimal = { rootfs, process: { args: ["sh"], user: "0:0" } };
const full = {
  rootfs,
  imageConfig: `${dir}/image.json`,
  process: { env: ["B=2"] },
  hostname: "web",
  readonlyRootfs: true,
  mounts: [{ type: "tmpfs", destination: "/tmp", size: "16m" }],
  resources: { memoryLimit: "64m", pidsLimit: 64, cpuQuota: 50_000 },
};

Deno.bench("parseContainerSpec (shape only)", () => {
  parseContainerSpec(full);
});
Deno.bench("generateConfig, numeric user, no image", async () => {
  await generateConfig(minimal);
});
Deno.bench("generateConfig, image config and a user name", async () => {
  await generateConfig(full);
});
Deno.bench("defaultSeccomp (x86_64)", () => {
  defaultSeccomp({ arch: "x86_64" });
});
Deno.bench("generateConfig, user namespace and rlimits", async () => {
  await generateConfig({
    ...minimal,
    rlimits: { nofile: 4096, core: 0 },
    userNamespace: { uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }] },
  });
});
Deno.bench("writeBundle + remove", async () => {
  const bundle = await writeBundle(`${dir}/bundles/web`, full, { id: "web" });
  await bundle.remove();
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
