/**
 * How one VMM boots an image: its program and argv (and the files they
 * name, made in a per-boot work directory), how the host asks the pod to
 * stop gracefully, and whether the VMM reports the pod's exit code through
 * an exit device (QEMU's `isa-debug-exit`) or only the console does.
 *
 * @module
 */
import { run } from "./_run.ts";
import { apiRequest, connectWhileRunning, monitorCommand } from "./_vmm_control.ts";
import { CLOUD_HYPERVISOR_POWER_BUTTON, cloudHypervisorArgs } from "./cloud_hypervisor.ts";
import {
  FIRECRACKER_APPEND,
  FIRECRACKER_CTRL_ALT_DEL,
  firecrackerArgs,
  firecrackerConfig,
} from "./firecracker.ts";
import { type GuestSpec, withKernelWords } from "./guest_spec.ts";
import { qemuArgs, type QemuOptions, type VmManifest } from "./manifest.ts";
import type { VmmChoice } from "./vmm.ts";

/**
 * How the host asks the guest to stop: Ctrl-Alt-Del (QEMU's default,
 * Firecracker's only way) or the ACPI power button (QEMU's
 * `system_powerdown`, cloud-hypervisor's only way). weft-init takes either
 * as SIGINT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { StopKey } from "@weft/vm";
 *
 * const key: StopKey = "power-button";
 * assert.equal(key, "power-button");
 * ```
 */
export type StopKey = "ctrl-alt-del" | "power-button";

/**
 * Options of {@linkcode prepareLaunch}: QEMU's, and the stop key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LaunchOptions } from "@weft/vm";
 *
 * const options: LaunchOptions = { extraAppend: ["quiet"], stopWith: "power-button" };
 * assert.equal(options.stopWith, "power-button");
 * ```
 */
export interface LaunchOptions extends QemuOptions {
  /** How a graceful stop is asked for. @default {the VMM's own: Ctrl-Alt-Del, or the power button for cloud-hypervisor} */
  stopWith?: StopKey;
}

/**
 * A VMM ready to be spawned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Launch } from "@weft/vm";
 *
 * const launch = { program: "/usr/bin/firecracker", exitDevice: false } as Launch;
 * assert.equal(launch.exitDevice, false);
 * ```
 */
export interface Launch {
  /** The VMM's binary. */
  program: string;
  /** Its arguments. */
  args: string[];
  /** The kernel command line given to the guest. */
  append: string;
  /** Whether the VMM exits with the pod's code through an exit device (QEMU). */
  exitDevice: boolean;
  /** Asks the guest to stop gracefully; `running` settles when the VMM exits. */
  stop(running: Promise<unknown>): Promise<void>;
  /** The VMM's own log file, if it writes one. */
  logFile?: string;
}

/**
 * Copies the image's disks into `work`: Firecracker and cloud-hypervisor
 * have no `snapshot=on`, and the guest writes to its disks, which must stay
 * as built. Sparse and reflinked where the filesystem allows, so cheap.
 */
async function diskCopies(dir: string, manifest: VmManifest, work: string): Promise<string[]> {
  const copies: string[] = [];
  for (const disk of manifest.disks) {
    const copy = `${work}/${disk}`;
    await run("cp", ["--reflink=auto", "--sparse=always", `${dir}/${disk}`, copy]);
    copies.push(copy);
  }
  return copies;
}

/** Sends `request` to the VMM's API socket once it is up; nothing if the VMM is gone. */
async function pressVia(
  socket: string,
  running: Promise<unknown>,
  use: (conn: Deno.UnixConn) => Promise<unknown>,
): Promise<void> {
  const conn = await connectWhileRunning(socket, running);
  if (conn === undefined) return;
  try {
    await use(conn);
  } catch {
    // The VMM went away while we talked to it: nothing is left to stop.
  } finally {
    conn.close();
  }
}

/**
 * Prepares the boot of the image in `dir` with `choice`'s VMM.
 *
 * @param choice The VMM (from {@linkcode selectVmm}).
 * @param dir The image directory.
 * @param manifest Its manifest.
 * @param work An empty per-boot directory (sockets, disk copies, config).
 * @param options QEMU's options (for the others only `extraAppend` applies), the stop key.
 * @returns The launch.
 * @throws {RangeError} For a stop key the VMM does not have.
 *
 * @example
 * ```ts ignore
 * import { prepareLaunch, selectVmm } from "@weft/vm";
 *
 * const launch = await prepareLaunch(await selectVmm("auto"), dir, manifest, work, {});
 * console.log(launch.program, launch.args);
 * ```
 */
export async function prepareLaunch(
  choice: VmmChoice,
  dir: string,
  manifest: VmManifest,
  work: string,
  options: LaunchOptions,
): Promise<Launch> {
  const only: StopKey | undefined = choice.vmm === "firecracker"
    ? "ctrl-alt-del"
    : choice.vmm === "cloud-hypervisor"
    ? "power-button"
    : undefined;
  if (options.stopWith !== undefined && only !== undefined && options.stopWith !== only) {
    throw new RangeError(
      `Invalid stopWith "${options.stopWith}": ${choice.vmm} can only press ${only}`,
    );
  }
  if (choice.vmm === "qemu") {
    const monitor = `${work}/monitor.sock`;
    const { stopWith, ...qemuOptions } = options;
    const args = qemuArgs(dir, manifest, { ...qemuOptions, monitor });
    const command = stopWith === "power-button" ? "system_powerdown" : "sendkey ctrl-alt-delete";
    return {
      program: choice.binary,
      args,
      append: args[args.indexOf("-append") + 1],
      exitDevice: true,
      stop: (running) => pressVia(monitor, running, (conn) => monitorCommand(conn, command)),
    };
  }
  const extra = options.extraAppend ?? [];
  const guest = (words: readonly string[]): Promise<GuestSpec> =>
    diskCopies(dir, manifest, work).then((disks) => ({
      kernel: `${dir}/${manifest.kernel}`,
      initrd: `${dir}/${manifest.initrd}`,
      disks,
      append: withKernelWords(manifest.append, [...words, ...extra]),
      memoryMib: manifest.memoryMib,
    }));
  const socket = `${work}/api.sock`;
  if (choice.vmm === "firecracker") {
    const spec = await guest(FIRECRACKER_APPEND);
    const logFile = `${work}/firecracker.log`;
    await Deno.writeTextFile(logFile, "");
    await Deno.writeTextFile(
      `${work}/firecracker.json`,
      JSON.stringify(firecrackerConfig(spec, logFile)),
    );
    return {
      program: choice.binary,
      args: firecrackerArgs(socket, `${work}/firecracker.json`),
      append: spec.append,
      exitDevice: false,
      stop: (running) =>
        pressVia(socket, running, (conn) => apiRequest(conn, FIRECRACKER_CTRL_ALT_DEL)),
      logFile,
    };
  }
  const spec = await guest([]);
  return {
    program: choice.binary,
    args: cloudHypervisorArgs(spec, socket),
    append: spec.append,
    exitDevice: false,
    stop: (running) =>
      pressVia(socket, running, (conn) => apiRequest(conn, CLOUD_HYPERVISOR_POWER_BUTTON)),
  };
}
