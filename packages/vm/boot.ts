/**
 * `weft-vm run`: boots an image under QEMU (wrapped in `timeout`, in a
 * process group of its own so that a terminal's Ctrl-C reaches weft-vm and
 * not QEMU), streams the serial console line by line with the time each
 * line arrived, turns a stop request into Ctrl-Alt-Del (which weft-init, as
 * PID 1, receives as SIGINT: a graceful pod stop), and learns the pod's
 * exit code.
 *
 * @module
 */
import { podExitCode } from "./exit_code.ts";
import { qemuArgs, type VmManifest } from "./manifest.ts";

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
  /** Seconds before `timeout` kills QEMU. @default {600} */
  timeoutSeconds?: number;
  /** QEMU's machine type. @default {"pc"} */
  machine?: "pc" | "microvm";
  /** Called with each serial line as it arrives. @default {nothing} */
  onLine?: (line: SerialLine) => void;
  /** Aborting it asks the pod to stop gracefully (Ctrl-Alt-Del, SIGINT to weft-init). */
  stop?: AbortSignal;
  /** Aborting it ends QEMU at once (SIGTERM through `timeout`). */
  kill?: AbortSignal;
  /** Add the kernel words that cut boot time (see `QemuOptions.tuneKernel`). @default {true} */
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
 * const result = { exitCode: 0, qemuStatus: 1, timedOut: false } as BootResult;
 * assert.equal(result.exitCode, 0);
 * ```
 */
export interface BootResult {
  /** The pod's exit code, when the init reported one. */
  exitCode?: number;
  /** Why there is no exit code (a panic, a timeout, QEMU failing), as a sentence. */
  problem?: string;
  /** QEMU's exit status (124 or 137 when `timeout` fired). */
  qemuStatus: number;
  /** Whether `timeout` had to stop QEMU. */
  timedOut: boolean;
  /** The serial console. */
  lines: SerialLine[];
  /** QEMU's own stderr. */
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
 * Presses Ctrl-Alt-Del through QEMU's human monitor: writes the command and
 * waits for the monitor's next prompt, which comes once the key has been
 * sent (closing earlier drops the command). Retries while the socket is not
 * up yet, until QEMU is gone.
 */
async function pressCtrlAltDel(monitor: string, done: Promise<unknown>): Promise<void> {
  let finished = false;
  done.finally(() => (finished = true));
  while (!finished) {
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path: monitor });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    try {
      await conn.write(new TextEncoder().encode("sendkey ctrl-alt-delete\n"));
      let seen = "";
      const buffer = new Uint8Array(4096);
      // The banner's prompt, then the prompt after the command.
      while (seen.split("(qemu)").length < 3) {
        const n = await conn.read(buffer);
        if (n === null) break;
        seen += new TextDecoder().decode(buffer.subarray(0, n));
      }
    } catch {
      // QEMU went away while we talked to it: nothing is left to stop.
    } finally {
      conn.close();
    }
    return;
  }
}

/**
 * Boots the image in `dir` and resolves when QEMU has exited.
 *
 * @param dir The image directory (from {@linkcode buildImage}).
 * @param options Timeout, machine type, console callback, stop signal.
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
  const qemuOptions = {
    machine: options.machine,
    tscKhz: await hostTscKhz(),
    extraAppend: seedWords(options.seed ?? true),
    tuneKernel: options.tuneKernel,
    net: forward === undefined ? options.net : "user" as const,
    forward,
  };
  qemuArgs(dir, manifest, qemuOptions); // refuses bad options before anything is made
  const work = await Deno.makeTempDir({ prefix: "weft-vm-" });
  const monitor = `${work}/monitor.sock`;
  const args = qemuArgs(dir, manifest, { ...qemuOptions, monitor });
  const append = args[args.indexOf("-append") + 1];
  const started = performance.now();
  const child = new Deno.Command("timeout", {
    // timeout puts QEMU in its own process group: a terminal's Ctrl-C is ours to forward.
    args: ["--kill-after=5", String(options.timeoutSeconds ?? 600), "qemu-system-x86_64", ...args],
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
  const onStop = () => void pressCtrlAltDel(monitor, child.status);
  const onKill = () => child.kill("SIGTERM");
  options.stop?.addEventListener("abort", onStop, { once: true });
  options.kill?.addEventListener("abort", onKill, { once: true });
  if (options.stop?.aborted) onStop();
  try {
    const status = await child.status;
    await serial;
    const timedOut = status.code === 124 || status.code === 137;
    const decoded = podExitCode(lines.map((l) => l.text), status.code, timedOut);
    return {
      ...decoded,
      qemuStatus: status.code,
      timedOut,
      lines,
      stderr: await stderr,
      ms: Math.round(performance.now() - started),
      append,
    };
  } finally {
    options.stop?.removeEventListener("abort", onStop);
    options.kill?.removeEventListener("abort", onKill);
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}
