/**
 * The manifest of a VM image (`vm.json`) and the QEMU command line that
 * boots it: TCG (KVM is often unusable in nested guests, and the command
 * must work everywhere), no default devices, the serial console on stdio,
 * `isa-debug-exit` for the pod's exit code, the disks with `snapshot=on`
 * (the VM writes to them, never to the files), and a human monitor socket
 * through which the host presses Ctrl-Alt-Del (a graceful stop).
 *
 * @module
 */
import { initRunOptions } from "@weft/init/run-options";
import { withKernelWords } from "./guest_spec.ts";

/**
 * What `vm.json` holds; paths are relative to its directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { VmManifest } from "@weft/vm";
 *
 * const manifest: VmManifest = {
 *   version: 1,
 *   key: "0123456789abcdef",
 *   root: "disk",
 *   kernel: "vmlinux",
 *   initrd: "initrd.cpio",
 *   disks: ["system.ext4", "pod.ext4"],
 *   append: "console=ttyS0 rdinit=/init -- /usr/bin/deno run -A /init.js",
 *   memoryMib: 1024,
 *   pod: { file: "/srv/pod.json", runtime: "crun" },
 * };
 * assert.equal(manifest.disks.length, 2);
 * ```
 */
export interface VmManifest {
  /** The manifest's format version. */
  version: 1;
  /** A hash of every input of the image. */
  key: string;
  /** The root's layout. */
  root: "disk" | "initramfs";
  /** The kernel. */
  kernel: string;
  /** The initramfs. */
  initrd: string;
  /** virtio-blk disks, in order (`/dev/vda`, `/dev/vdb`). */
  disks: string[];
  /** The kernel command line. */
  append: string;
  /** Guest memory in MiB. */
  memoryMib: number;
  /**
   * The pod file it was built from, the runtime its image copy asks for, and
   * the guest port of its control API over TCP (`control.tcp.port`), if any.
   */
  pod: { file: string; runtime: string; controlTcpPort?: number };
}

/**
 * What {@linkcode kernelCommandLine} needs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CommandLineSpec } from "@weft/vm";
 *
 * const spec: CommandLineSpec = { root: "initramfs", compiled: false, initArgs: [], denoDir: "/d" };
 * assert.equal(spec.root, "initramfs");
 * ```
 */
export interface CommandLineSpec {
  /** The root's layout. */
  root: "disk" | "initramfs";
  /** Whether the init is a compiled binary (`/usr/bin/weft-init`) rather than `/init.js`. */
  compiled: boolean;
  /** The init's own arguments. */
  initArgs: string[];
  /** DENO_DIR in the VM. */
  denoDir: string;
}

/**
 * The kernel command line. Unknown `K=V` words become PID 1's environment
 * and the words after `--` its argv: with an initramfs root the init runs
 * straight as PID 1 (`rdinit=`); with a disk root the early `/init` gets the
 * init's command and `switch_root`s into it.
 *
 * @param spec The layout and the init's arguments.
 * @returns The command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelCommandLine } from "@weft/vm";
 *
 * const line = kernelCommandLine({
 *   root: "initramfs",
 *   compiled: false,
 *   initArgs: ["--config", "/pod/pod.json"],
 *   denoDir: "/var/cache/deno",
 * });
 * assert.match(line, /rdinit=\/usr\/bin\/deno .* -- run -A --v8-flags=\S+ \/init.js --config \/pod\/pod.json$/);
 * ```
 */
export function kernelCommandLine(spec: CommandLineSpec): string {
  const init = spec.compiled
    ? ["/usr/bin/weft-init", ...spec.initArgs]
    : ["/usr/bin/deno", "run", ...initRunOptions(), "/init.js", ...spec.initArgs];
  const [rdinit, argv] = spec.root === "disk" ? ["/init", init] : [init[0], init.slice(1)];
  return [
    "console=ttyS0",
    "quiet",
    "panic=-1",
    `rdinit=${rdinit}`,
    "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
    "HOME=/root",
    `DENO_DIR=${spec.denoDir}`,
    "NO_COLOR=1",
    // The serial console is a terminal: Deno would look for a newer version of itself.
    "DENO_NO_UPDATE_CHECK=1",
    "--",
    ...argv,
  ].join(" ");
}

/**
 * Options of {@linkcode qemuArgs}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { QemuOptions } from "@weft/vm";
 *
 * const options: QemuOptions = { machine: "pc", monitor: "/run/vm.sock", net: "user" };
 * assert.equal(options.machine, "pc");
 * ```
 */
export interface QemuOptions {
  /** QEMU's machine type: `pc`, or `microvm` (virtio-mmio, no PCI). @default {"pc"} */
  machine?: "pc" | "microvm";
  /** A Unix socket for QEMU's human monitor. @default {none} */
  monitor?: string;
  /** Words added to the kernel command line (before `--`). @default {[]} */
  extraAppend?: string[];
  /**
   * The TSC rate the guest sees, in kHz: under TCG the host's. With
   * `microvm` (no HPET, no PM timer) Linux often fails to measure it and
   * hangs at boot; given as `tsc_early_khz=`, it need not. @default {none}
   */
  tscKhz?: number;
  /**
   * Add the kernel words that cut boot time under TCG without changing what
   * the guest can do (measured in packages/vm/README.md, "Boot time"):
   * `cryptomgr.notests` skips the crypto self-tests (0.3 s of the kernel's
   * 2 s; they test the kernel's own implementations, nothing the pod uses),
   * and on `pc` `pci=noacpi` routes PCI interrupts without ACPI's AML
   * (loading virtio_pci took 0.4 to 0.6 s, then 10 to 50 ms; virtio uses
   * MSI-X). Not on `microvm`: there it also hides the virtio-mmio devices'
   * ACPI interrupts, and the disks never show. @default {true}
   */
  tuneKernel?: boolean;
  /**
   * A network card: `user` attaches a virtio NIC (the guest's `eth0`) to
   * QEMU's user-mode network with `restrict=on`, so the guest reaches
   * neither the host nor the outside; no port is forwarded but `forward`.
   * @default {"none"}
   */
  net?: "none" | "user";
  /**
   * With `net: "user"`, one TCP port forwarded from the host's 127.0.0.1
   * only (`hostfwd=tcp:127.0.0.1:HOST-:GUEST`) to the guest's `eth0`
   * (QEMU's default guest address 10.0.2.15): how the host reaches the
   * control API. @default {none}
   */
  forward?: { hostPort: number; guestPort: number };
}

function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** The netdev's `hostfwd` option: bound to the host's loopback, never a wider address. */
function forwardWord(forward: QemuOptions["forward"]): string {
  if (forward === undefined) return "";
  if (!isPort(forward.hostPort) || !isPort(forward.guestPort)) {
    throw new RangeError(
      `Invalid port forward ${forward.hostPort}->${forward.guestPort}: expected ports 1-65535`,
    );
  }
  return `,hostfwd=tcp:127.0.0.1:${forward.hostPort}-:${forward.guestPort}`;
}

/** `value` inside a QEMU option list, where a comma separates options unless doubled. */
function optionValue(value: string): string {
  return value.replaceAll(",", ",,");
}

/**
 * The argv of `qemu-system-x86_64` for an image.
 *
 * @param dir The image directory.
 * @param manifest Its manifest.
 * @param options Machine type, monitor socket, extra kernel parameters.
 * @returns The arguments (without the program name).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { qemuArgs, type VmManifest } from "@weft/vm";
 *
 * const manifest = {
 *   kernel: "vmlinux",
 *   initrd: "initrd.cpio",
 *   disks: ["system.ext4"],
 *   append: "console=ttyS0 -- run",
 *   memoryMib: 512,
 * } as VmManifest;
 * const args = qemuArgs("/img", manifest, { extraAppend: ["weft.seed=00"] });
 * assert.ok(args.includes("tcg") && args.includes("/img/vmlinux"));
 * assert.equal(
 *   args[args.indexOf("-append") + 1],
 *   "console=ttyS0 weft.seed=00 cryptomgr.notests pci=noacpi -- run",
 * );
 * assert.ok(!args.includes("-netdev"));
 * const net = qemuArgs("/img", manifest, { net: "user" });
 * assert.equal(net[net.indexOf("-netdev") + 1], "user,id=n0,restrict=on");
 * const ctl = qemuArgs("/img", manifest, { net: "user", forward: { hostPort: 8000, guestPort: 7070 } });
 * assert.equal(
 *   ctl[ctl.indexOf("-netdev") + 1],
 *   "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:8000-:7070",
 * );
 * ```
 */
export function qemuArgs(dir: string, manifest: VmManifest, options: QemuOptions = {}): string[] {
  const machine = options.machine ?? "pc";
  const extra = [...(options.extraAppend ?? [])];
  if (options.tuneKernel ?? true) {
    extra.push("cryptomgr.notests", ...(machine === "pc" ? ["pci=noacpi"] : []));
  }
  if (machine === "microvm" && options.tscKhz !== undefined) {
    extra.push(`tsc_early_khz=${options.tscKhz}`);
  }
  const append = withKernelWords(manifest.append, extra);
  const args = [
    "-accel",
    "tcg",
    "-M",
    // Without the PIT and the RTC, Linux on microvm often cannot calibrate the TSC under TCG and hangs.
    machine === "microvm" ? "microvm,pit=on,rtc=on" : machine,
    "-m",
    String(manifest.memoryMib),
    "-nodefaults",
    "-no-user-config",
    "-display",
    "none",
    "-no-reboot",
    "-serial",
    "stdio",
    "-device",
    "isa-debug-exit,iobase=0xf4,iosize=0x04",
    "-kernel",
    `${dir}/${manifest.kernel}`,
    "-initrd",
    `${dir}/${manifest.initrd}`,
    "-append",
    append,
  ];
  manifest.disks.forEach((disk, i) => {
    args.push(
      "-drive",
      `id=disk${i},file=${optionValue(`${dir}/${disk}`)},format=raw,if=none,snapshot=on`,
      "-device",
      `${machine === "microvm" ? "virtio-blk-device" : "virtio-blk-pci"},drive=disk${i}`,
    );
  });
  if (options.forward !== undefined && options.net !== "user") {
    throw new RangeError('A port forward needs net "user"');
  }
  if (options.net === "user") {
    args.push(
      "-netdev",
      `user,id=n0,restrict=on${forwardWord(options.forward)}`,
      "-device",
      `${machine === "microvm" ? "virtio-net-device" : "virtio-net-pci"},netdev=n0`,
    );
  }
  if (options.monitor !== undefined) {
    args.push("-monitor", `unix:${optionValue(options.monitor)},server,nowait`);
  }
  return args;
}
