import assert from "node:assert/strict";
import { bootImage, type VmManifest } from "./mod.ts";

Deno.test("bootImage refuses a control port out of 1-65535 or without control.tcp, and a kernel word the image sets, before QEMU", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weft-vm-boot-test-" });
  try {
    const manifest = {
      kernel: "vmlinux",
      initrd: "initrd.cpio",
      disks: [],
      append: "console=ttyS0 -- run",
      memoryMib: 128,
      pod: { file: "/srv/pod.json", runtime: "crun" },
    } as unknown as VmManifest;
    await Deno.writeTextFile(`${dir}/vm.json`, JSON.stringify(manifest));
    await assert.rejects(
      () => bootImage(dir, { controlPort: 7070 }),
      (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.match(
          error.message,
          /control port 7070: the pod file \/srv\/pod.json has no control\.tcp/,
        );
        return true;
      },
    );
    manifest.pod.controlTcpPort = 7070;
    await Deno.writeTextFile(`${dir}/vm.json`, JSON.stringify(manifest));
    for (const port of [0, 65536, 70.5, -1, NaN]) {
      await assert.rejects(
        () => bootImage(dir, { controlPort: port }),
        (error: Error) => {
          assert.ok(error instanceof RangeError);
          assert.equal(
            error.message,
            `Invalid controlPort ${port}: expected an integer port 1-65535`,
          );
          return true;
        },
      );
    }
    // Words of the image's own command line cannot be overridden.
    await assert.rejects(
      () => bootImage(dir, { append: ["loglevel=7", "console=tty0"] }),
      (error: Error) =>
        error instanceof RangeError &&
        error.message ===
          'Invalid kernel command-line word "console=tty0": weft-vm sets console= itself',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
