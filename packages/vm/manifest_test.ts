import assert from "node:assert/strict";
import { kernelCommandLine, qemuArgs, type VmManifest } from "./manifest.ts";

const manifest: VmManifest = {
  version: 1,
  key: "k",
  root: "disk",
  kernel: "vmlinux",
  initrd: "initrd.cpio",
  disks: ["system.ext4", "pod.ext4"],
  append: kernelCommandLine({
    root: "disk",
    compiled: false,
    initArgs: ["--config", "/pod/pod.json"],
    denoDir: "/var/cache/deno",
  }),
  memoryMib: 512,
  pod: { file: "/p/pod.json", runtime: "crun" },
};

Deno.test("a disk root boots the early /init, which gets deno's whole command line", () => {
  assert.match(manifest.append, /rdinit=\/init .*DENO_DIR=\/var\/cache\/deno/);
  assert.ok(manifest.append.endsWith(
    "-- /usr/bin/deno run -A --v8-flags=--lite-mode,--max-semi-space-size=1 /init.js --config /pod/pod.json",
  ));
  const compiled = kernelCommandLine({
    root: "initramfs",
    compiled: true,
    initArgs: ["-c", "x"],
    denoDir: "/d",
  });
  assert.match(compiled, /rdinit=\/usr\/bin\/weft-init .* -- -c x$/);
});

Deno.test("QEMU gets TCG, the exit device, each disk with snapshot=on, and the monitor", () => {
  const args = qemuArgs("/img", manifest, { monitor: "/run/m.sock" });
  assert.deepEqual(args.slice(0, 4), ["-accel", "tcg", "-M", "pc"]);
  assert.ok(args.includes("isa-debug-exit,iobase=0xf4,iosize=0x04"));
  assert.deepEqual(args.filter((a) => a.startsWith("id=disk")), [
    "id=disk0,file=/img/system.ext4,format=raw,if=none,snapshot=on",
    "id=disk1,file=/img/pod.ext4,format=raw,if=none,snapshot=on",
  ]);
  assert.deepEqual(args.filter((a) => a.startsWith("virtio-blk")), [
    "virtio-blk-pci,drive=disk0",
    "virtio-blk-pci,drive=disk1",
  ]);
  assert.equal(args.at(-1), "unix:/run/m.sock,server,nowait");
});

Deno.test("a comma in a path is doubled, so QEMU does not read it as the next option", () => {
  const args = qemuArgs("/a,b", manifest, { monitor: "/t,x/m.sock" });
  assert.ok(args.includes("id=disk0,file=/a,,b/system.ext4,format=raw,if=none,snapshot=on"));
  assert.equal(args.at(-1), "unix:/t,,x/m.sock,server,nowait");
});

Deno.test("microvm gets its PIT, RTC, the TSC rate and virtio-mmio disks", () => {
  const args = qemuArgs("/img", manifest, { machine: "microvm", tscKhz: 2596140 });
  assert.equal(args[args.indexOf("-M") + 1], "microvm,pit=on,rtc=on");
  const append = args[args.indexOf("-append") + 1];
  assert.match(append, /tsc_early_khz=2596140 -- \/usr\/bin\/deno/);
  assert.ok(args.includes("virtio-blk-device,drive=disk1"));
  // The pc machine measures the TSC itself.
  assert.doesNotMatch(qemuArgs("/img", manifest, { tscKhz: 1 }).join(" "), /tsc_early_khz/);
});

Deno.test("the boot-time kernel words: pci=noacpi on pc only, none when turned off", () => {
  const append = (options: Parameters<typeof qemuArgs>[2]) => {
    const args = qemuArgs("/img", manifest, options);
    return args[args.indexOf("-append") + 1].split(" -- ")[0].split(" ");
  };
  const pc = append({});
  assert.ok(pc.includes("cryptomgr.notests") && pc.includes("pci=noacpi"));
  // On microvm pci=noacpi also hides the virtio-mmio devices' interrupts: no disk would show.
  const microvm = append({ machine: "microvm" });
  assert.ok(microvm.includes("cryptomgr.notests") && !microvm.includes("pci=noacpi"));
  const plain = append({ tuneKernel: false });
  assert.ok(!plain.includes("cryptomgr.notests") && !plain.includes("pci=noacpi"));
});
