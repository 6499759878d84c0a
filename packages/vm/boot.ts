/**
 * `weft-vm run`: boots an image with a VMM (QEMU by default; Firecracker or
 * cloud-hypervisor with KVM), wrapped in `timeout`, in a process group of
 * its own so that a terminal's Ctrl-C reaches weft-vm and not the VMM;
 * streams the serial console line by line with the time each line arrived,
 * turns a stop request into Ctrl-Alt-Del or the power button (which
 * weft-init, as PID 1, takes as a graceful pod stop), and learns the pod's
 * exit code.
 *
 * @module
 */
import { killedByTimeout, podExitCode } from "./exit_code.ts";
import { checkAppendWords } from "./guest_spec.ts";
import { prepareLaunch, type StopKey } from "./launch.ts";
import { qemuArgs, type VmManifest } from "./manifest.ts";
import { selectVmm, type VmmChoice, type VmmName } from "./vmm.ts";

/**
 * One line of the serial console.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SerialLine } from "@weft/vm";
 *
 * const line: SerialLine = { ms: 5120, text: "[web] listening" };
 * assert.ok(line.ms > 0);
 * ```
 */
export interface SerialLine {
  /** Milliseconds since QEMU was spawned. */
  ms: number;
  /** The line without `\r` and terminal escape codes. */
  text: string;
}

/**
 * Options of {@linkcode bootImage}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BootOptions } from "@weft/vm";
 *
 * const options: BootOptions = { timeoutSeconds: 120, controlPort: 7070, onLine: (l) => void l };
 * assert.equal(options.timeoutSeconds, 120);
 * ```
 */
export interface BootOptions {
  /**
   * The VMM: `qemu`, `firecracker`, `cloud-hypervisor` (both need KVM), or
   * `auto` (see {@linkcode selectVmm}). @default {"qemu"}
   */
  vmm?: VmmName | "auto";
  /** Seconds before `timeout` kills the VMM. @default {600} */
  timeoutSeconds?: number;
  /** QEMU's machine type (QEMU only). @default {"pc"} */
  machine?: "pc" | "microvm";
  /** Called with each serial line as it arrives. @default {nothing} */
  onLine?: (line: SerialLine) => void;
  /**
   * Aborting it asks the pod to stop gracefully: Ctrl-Alt-Del (QEMU,
   * Firecracker), which weft-init receives as SIGINT, or the ACPI power
   * button (cloud-hypervisor).
   */
  stop?: AbortSignal;
  /**
   * What `stop` presses: with QEMU, `power-button` presses the ACPI power
   * button (`system_powerdown`) as cloud-hypervisor does. @default {the VMM's own}
   */
  stopWith?: StopKey;
  /** Aborting it ends the VMM at once (SIGTERM through `timeout`). */
  kill?: AbortSignal;
  /**
   * Extra kernel command-line words (e.g. `weft.ip=10.0.2.15/24`), checked by
   * {@linkcode checkAppendWords} against the image's own. @default {[]}
   */
  append?: readonly string[];
  /** Add the kernel words that cut boot time (QEMU; see `QemuOptions.tuneKernel`). @default {true} */
  tuneKernel?: boolean;
  /** Pass 32 random bytes from the host for the guest's entropy pool. @default {true} */
  seed?: boolean;
  /** `user`: a virtio NIC (the guest's `eth0`) on QEMU's restricted user-mode network. @default {"none"} */
  net?: "none" | "user";
  /**
   * A port of the host's 127.0.0.1 forwarded to the pod's control API over
   * TCP (the pod file's `control.tcp.port`); implies `net: "user"`. @default {none}
   */
  controlPort?: number;
}

/**
 * What a boot produced.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BootResult } from "@weft/vm";
 *
 * const result = { exitCode: 0, vmmStatus: 1, timedOut: false } as BootResult;
 * assert.equal(result.exitCode, 0);
 * ```
 */
export interface BootResult {
  /** The pod's exit code, when the init reported one. */
  exitCode?: number;
  /** Why there is no exit code (a panic, a timeout, the VMM failing), as a sentence. */
  problem?: string;
  /** The VMM that booted, and why it was chosen. */
  vmm: VmmChoice;
  /** The VMM's exit status (124 or 137 when `timeout` fired). */
  vmmStatus: number;
  /** Whether `timeout` had to stop the VMM. */
  timedOut: boolean;
  /** The serial console. */
  lines: SerialLine[];
  /** The VMM's own stderr (and its log file, if it writes one). */
  stderr: string;
  /** Wall time of the whole boot in milliseconds. */
  ms: number;
  /** The kernel command line used. */
  append: string;
}

// deno-lint-ignore no-control-regex
const ESCAPES = /\x1b\[[0-9;?]*[A-Za-z]|\r/g;

function seedWords(seed: boolean): string[] {
  if (!seed) return [];
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [`weft.seed=${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`];
}

/** The host's TSC rate in kHz (what a TCG guest's rdtsc counts), from /proc/cpuinfo. */
async function hostTscKhz(): Promise<number | undefined> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  if (!/\bconstant_tsc\b/.test(cpuinfo)) return undefined;
  const mhz = Number(cpuinfo.match(/^cpu MHz\s*:\s*([\d.]+)/m)?.[1]);
  return Number.isFinite(mhz) && mhz > 0 ? Math.round(mhz * 1000) : undefined;
}

/** The host-to-guest forward of the control API, when asked for. */
function controlForward(
  manifest: VmManifest,
  hostPort: number | undefined,
): { hostPort: number; guestPort: number } | undefined {
  if (hostPort === undefined) return undefined;
  if (!Number.isInteger(hostPort) || hostPort < 1 || hostPort > 65535) {
    throw new RangeError(`Invalid controlPort ${hostPort}: expected an integer port 1-65535`);
  }
  const guestPort = manifest.pod.controlTcpPort;
  if (guestPort === undefined) {
    throw new TypeError(
      `Cannot forward control port ${hostPort}: the pod file ${manifest.pod.file} has no ` +
        'control.tcp section (e.g. "control": {"tcp": {"hostname": "0.0.0.0", "port": 7070}})',
    );
  }
  return { hostPort, guestPort };
}

/**
 * Boots the image in `dir` and resolves when the VMM has exited.
 *
 * @param dir The image directory (from {@linkcode buildImage}).
 * @param options VMM, timeout, machine type, console callback, stop signal.
 * @throws {Error} Before anything runs: a VMM that cannot run here, an
 *   option out of range (naming it).
 * @returns The boot, with the pod's exit code.
 *
 * @example
 * ```ts ignore
 * import { bootImage } from "@weft/vm";
 *
 * const result = await bootImage("/tmp/pod-vm", { onLine: (l) => console.log(l.text) });
 * Deno.exit(result.exitCode ?? 125);
 * ```
 */
export async function bootImage(dir: string, options: BootOptions = {}): Promise<BootResult> {
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/vm.json`)) as VmManifest;
  const forward = controlForward(manifest, options.controlPort);
  const net = forward === undefined ? options.net : "user" as const;
  const append = checkAppendWords(options.append ?? [], manifest.append);
  const choice = await selectVmm(options.vmm ?? "qemu", { needsUserNet: net === "user" });
  const vmmOptions = {
    machine: options.machine,
    tscKhz: await hostTscKhz(),
    extraAppend: [...append, ...seedWords(options.seed ?? true)],
    tuneKernel: options.tuneKernel,
    net,
    forward,
  };
  if (choice.vmm === "qemu") qemuArgs(dir, manifest, vmmOptions); // refuses bad options first
  const work = await Deno.makeTempDir({ prefix: "weft-vm-" });
  try {
    const launch = await prepareLaunch(choice, dir, manifest, work, {
      ...vmmOptions,
      stopWith: options.stopWith,
    });
    const timeoutSeconds = options.timeoutSeconds ?? 600;
    const started = performance.now();
    const child = new Deno.Command("timeout", {
      // timeout puts the VMM in its own process group: a terminal's Ctrl-C is ours to forward.
      args: ["--kill-after=5", String(timeoutSeconds), launch.program, ...launch.args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines: SerialLine[] = [];
    const push = (raw: string) => {
      const line = { ms: Math.round(performance.now() - started), text: raw.replace(ESCAPES, "") };
      lines.push(line);
      options.onLine?.(line);
    };
    const serial = (async () => {
      let pending = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        pending += chunk;
        let newline;
        while ((newline = pending.indexOf("\n")) >= 0) {
          push(pending.slice(0, newline));
          pending = pending.slice(newline + 1);
        }
      }
      if (pending !== "") push(pending);
    })();
    const stderr = new Response(child.stderr).text();
    const onStop = () => void launch.stop(child.status);
    const onKill = () => child.kill("SIGTERM");
    options.stop?.addEventListener("abort", onStop, { once: true });
    options.kill?.addEventListener("abort", onKill, { once: true });
    if (options.stop?.aborted) onStop();
    try {
      const status = await child.status;
      await serial;
      const timedOut = killedByTimeout(status.code, performance.now() - started, timeoutSeconds);
      const decoded = podExitCode(lines.map((l) => l.text), status.code, timedOut, {
        exitDevice: launch.exitDevice,
        vmm: choice.vmm === "qemu" ? "QEMU" : choice.vmm,
      });
      const log = launch.logFile === undefined
        ? ""
        : await Deno.readTextFile(launch.logFile).catch(() => "");
      return {
        ...decoded,
        vmm: choice,
        vmmStatus: status.code,
        timedOut,
        lines,
        stderr: (await stderr) + log,
        ms: Math.round(performance.now() - started),
        append: launch.append,
      };
    } finally {
      options.stop?.removeEventListener("abort", onStop);
      options.kill?.removeEventListener("abort", onKill);
    }
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
