/**
 * Boots a kernel and initramfs under QEMU (TCG, wrapped in `timeout`) and
 * records the serial console line by line with the host time each line
 * arrived, so the caller can measure boot-to-event times.
 */

/** One line of the serial console. */
export interface SerialLine {
  /** Milliseconds since QEMU was spawned. */
  ms: number;
  /** The line without `\r` and terminal escape codes. */
  text: string;
}

/** Options of {@linkcode bootVm}. */
export interface BootOptions {
  /** Path of the (uncompressed) kernel. */
  kernel: string;
  /** Path of the initramfs. */
  initrd: string;
  /** Words after `--` on the kernel command line: the init's argv. */
  initArgs: string[];
  /** Seconds before `timeout` kills QEMU. @default {60} */
  timeoutSeconds?: number;
  /** Guest memory in MiB. @default {1024} */
  memoryMib?: number;
  /** Called with each serial line as it arrives (for live output). */
  onLine?: (line: SerialLine) => void;
}

/** What a boot produced. */
export interface BootResult {
  /** QEMU's exit status (124 when `timeout` fired). */
  code: number;
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

/**
 * The kernel command line that makes Deno the literal PID 1: `rdinit=` runs
 * it, unknown `K=V` words become its environment, the words after `--` its
 * argv.
 */
export function kernelCommandLine(initArgs: string[]): string {
  return [
    "console=ttyS0",
    "quiet",
    "panic=-1",
    "rdinit=/usr/bin/deno",
    "PATH=/usr/bin:/bin:/usr/sbin:/sbin",
    "HOME=/root",
    "DENO_DIR=/tmp/deno",
    "NO_COLOR=1",
    "--",
    "run",
    "-A",
    "/init.js",
    ...initArgs,
  ].join(" ");
}

/** Boots the VM and waits until QEMU exits (or `timeout` stops it). */
export async function bootVm(options: BootOptions): Promise<BootResult> {
  const timeoutSeconds = options.timeoutSeconds ?? 60;
  const append = kernelCommandLine(options.initArgs);
  const started = performance.now();
  const child = new Deno.Command("timeout", {
    args: [
      "--kill-after=5",
      String(timeoutSeconds),
      "qemu-system-x86_64",
      "-accel",
      "tcg",
      "-m",
      String(options.memoryMib ?? 1024),
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
      options.kernel,
      "-initrd",
      options.initrd,
      "-append",
      append,
    ],
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
  const status = await child.status;
  await serial;
  return {
    code: status.code,
    timedOut: status.code === 124 || status.code === 137,
    lines,
    stderr: await stderr,
    ms: Math.round(performance.now() - started),
    append,
  };
}
