import assert from "node:assert/strict";
import { type Launch, prepareLaunch } from "./launch.ts";
import { withTempDir } from "./_test_utils.ts";
import type { VmmChoice, VmmName } from "./vmm.ts";
import type { VmManifest } from "./manifest.ts";

const manifest = {
  version: 1,
  key: "0123456789abcdef",
  root: "disk",
  kernel: "vmlinux",
  initrd: "initrd.cpio",
  disks: ["system.ext4", "pod.ext4"],
  append: "console=ttyS0 rdinit=/init -- /usr/bin/deno run -A /init.js --exit-port 0xf4",
  memoryMib: 768,
  pod: { file: "/srv/pod.json", runtime: "crun" },
} as VmManifest;

/** A fake image (the disks' contents only matter as copies) and a work directory. */
function withImage(fn: (dir: string, work: string) => Promise<void>): Promise<void> {
  return withTempDir("weft-vm-launch-test-", async (dir) => {
    for (const disk of manifest.disks) await Deno.writeTextFile(`${dir}/${disk}`, `${disk}\n`);
    await Deno.mkdir(`${dir}/work`);
    await fn(dir, `${dir}/work`);
  });
}

/** The VMM `vmm`, as if found at /opt/<vmm>. */
function chosen(vmm: VmmName): VmmChoice {
  return { vmm, binary: `/opt/${vmm}`, reason: "asked for" };
}

/** What a stand-in QEMU monitor at `path` receives when `launch` stops the guest. */
async function monitorSees(path: string, launch: Launch): Promise<string> {
  using listener = Deno.listen({ transport: "unix", path });
  const stopped = launch.stop(new Promise(() => {}));
  using conn = await listener.accept();
  const encoder = new TextEncoder();
  await conn.write(encoder.encode("QEMU monitor\r\n(qemu) "));
  const buffer = new Uint8Array(256);
  const n = await conn.read(buffer);
  await conn.write(encoder.encode("\r\n(qemu) "));
  await stopped;
  await Deno.remove(path);
  return new TextDecoder().decode(buffer.subarray(0, n ?? 0));
}

const seed = { extraAppend: ["weft.seed=00ff"] };

Deno.test("Firecracker boots from a config file built from the image manifest, disks copied", async () => {
  await withImage(async (dir, work) => {
    const launch = await prepareLaunch(chosen("firecracker"), dir, manifest, work, seed);
    assert.equal(launch.program, "/opt/firecracker");
    assert.deepEqual(launch.args, [
      "--api-sock",
      `${work}/api.sock`,
      "--config-file",
      `${work}/firecracker.json`,
    ]);
    assert.equal(launch.exitDevice, false);
    const config = JSON.parse(await Deno.readTextFile(`${work}/firecracker.json`));
    assert.deepEqual(config["boot-source"], {
      kernel_image_path: `${dir}/vmlinux`,
      initrd_path: `${dir}/initrd.cpio`,
      boot_args: "console=ttyS0 rdinit=/init reboot=k pci=off weft.seed=00ff -- " +
        "/usr/bin/deno run -A /init.js --exit-port 0xf4",
    });
    assert.equal(launch.append, config["boot-source"].boot_args);
    assert.deepEqual(config.drives.map((d: { path_on_host: string }) => d.path_on_host), [
      `${work}/system.ext4`,
      `${work}/pod.ext4`,
    ]);
    assert.ok(config.drives.every((d: { is_root_device: boolean }) => !d.is_root_device));
    assert.deepEqual(config["machine-config"], { vcpu_count: 1, mem_size_mib: 768, smt: false });
    assert.equal(config.logger.log_path, launch.logFile);
    assert.equal(await Deno.readTextFile(launch.logFile!), "");
    // The guest writes to copies: the image's disks stay as built.
    assert.equal(await Deno.readTextFile(`${work}/pod.ext4`), "pod.ext4\n");
  });
});

Deno.test("cloud-hypervisor's argv is built from the same manifest, serial on the terminal", async () => {
  await withImage(async (dir, work) => {
    const launch = await prepareLaunch(chosen("cloud-hypervisor"), dir, manifest, work, seed);
    assert.equal(launch.exitDevice, false);
    assert.deepEqual(launch.args, [
      "--kernel",
      `${dir}/vmlinux`,
      "--initramfs",
      `${dir}/initrd.cpio`,
      "--cmdline",
      "console=ttyS0 rdinit=/init weft.seed=00ff -- /usr/bin/deno run -A /init.js --exit-port 0xf4",
      "--disk",
      `path=${work}/system.ext4`,
      `path=${work}/pod.ext4`,
      "--cpus",
      "boot=1",
      "--memory",
      "size=768M",
      "--serial",
      "tty",
      "--console",
      "off",
      "--api-socket",
      `path=${work}/api.sock`,
    ]);
    assert.equal(await Deno.readTextFile(`${work}/system.ext4`), "system.ext4\n");
  });
});

Deno.test("cloud-hypervisor refuses a path with a comma, which its option parser would split", async () => {
  await withTempDir("weft-vm-launch,test-", async (dir) => {
    await assert.rejects(
      () => prepareLaunch(chosen("cloud-hypervisor"), dir, { ...manifest, disks: [] }, dir, {}),
      (error: Error) =>
        error instanceof RangeError &&
        error.message.startsWith(`Invalid kernel path "${dir}/vmlinux": cloud-hypervisor cannot`),
    );
  });
});

Deno.test("QEMU keeps its exit device and monitor; its argv is qemuArgs'", async () => {
  await withImage(async (dir, work) => {
    const launch = await prepareLaunch(chosen("qemu"), dir, manifest, work, seed);
    assert.equal(launch.exitDevice, true);
    assert.ok(launch.args.includes("isa-debug-exit,iobase=0xf4,iosize=0x04"));
    assert.equal(
      launch.args[launch.args.indexOf("-monitor") + 1],
      `unix:${work}/monitor.sock,server,nowait`,
    );
    // The seed and the boot-time words (tuneKernel) go before the init's arguments.
    assert.match(launch.append, /weft\.seed=00ff cryptomgr\.notests pci=noacpi -- /);
  });
});

Deno.test("each VMM stops its guest with the key it has; QEMU can press either", async () => {
  await withImage(async (dir, work) => {
    for (
      const [vmm, stopWith] of [["firecracker", "power-button"], [
        "cloud-hypervisor",
        "ctrl-alt-del",
      ]] as const
    ) {
      await assert.rejects(
        () => prepareLaunch(chosen(vmm), dir, manifest, work, { stopWith }),
        (error: Error) =>
          error instanceof RangeError &&
          error.message ===
            `Invalid stopWith "${stopWith}": ${vmm} can only press ${
              stopWith === "power-button" ? "ctrl-alt-del" : "power-button"
            }`,
      );
    }
    const commands: Record<string, string> = {};
    for (const stopWith of ["ctrl-alt-del", "power-button"] as const) {
      const launch = await prepareLaunch(chosen("qemu"), dir, manifest, work, { stopWith });
      commands[stopWith] = await monitorSees(`${work}/monitor.sock`, launch);
    }
    assert.deepEqual(commands, {
      "ctrl-alt-del": "sendkey ctrl-alt-delete\n",
      "power-button": "system_powerdown\n",
    });
  });
});
