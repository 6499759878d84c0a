/**
 * The `weft-vm` command: builds a pod's micro-VM image and boots it under
 * QEMU (or Firecracker or cloud-hypervisor). This module exports nothing: it is the program (`weft-vm --help`).
 *
 * @example
 * ```sh
 * deno run -A jsr:@weft/vm/cli build pod.json -o /tmp/pod-vm
 * deno run -A jsr:@weft/vm/cli run /tmp/pod-vm
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { bootImage } from "./boot.ts";
import { buildImage, type BuildOptions } from "./image.ts";
import { checkAppendWords } from "./guest_spec.ts";
import { selectVmm } from "./vmm.ts";
import { bootTimeline, formatTimeline } from "./timeline.ts";

/** Signals this soon after the first are the same Ctrl-C delivered twice. */
const DOUBLE_DELIVERY_MS = 1000;
/** Exit code of a bad command line or pod file. */
const EXIT_USAGE = 2;
/** Exit code when no pod exit code came back (build failed, the VMM failed, panic, timeout). */
const EXIT_VM = 70;

const HELP = `weft-vm: build and boot the micro-VM of a weft pod

Usage:
  weft-vm build POD.json -o DIR [build options]   build the image into DIR
  weft-vm run POD.json|DIR [build options] [run options]
                                                   boot it (building a POD.json
                                                   first, cached by content hash)
  weft-vm --help

Build options:
  -o, --out DIR         where the image goes (build: required)
  --root disk|initramfs disk (default): ext4 system and pod disks and a 3 MB
                        early initramfs; initramfs: one archive with everything
  --runtime NAME        replace the pod file's runtime.name in the image (crun,
                        runc, auto); the image holds that runtime (auto: crun
                        and runc, those installed)
  --init PATH           the init: bundled JavaScript or a compiled binary
                        (default: a fresh bundle of @weft/init's main)
  --kernel PATH         an x86-64 kernel of your own (default: Debian's, fetched
                        once with apt-get download, never installed)
  --no-code-cache       do not bake Deno's code cache of the init into the image
  --memory MIB          guest memory (default 1024)
  --cache-dir DIR       kernel and image cache (default $WEFT_VM_CACHE, else
                        $XDG_CACHE_HOME/weft-vm, else ~/.cache/weft-vm)

Run options:
  --vmm qemu|cloud-hypervisor|firecracker|auto
                        the VMM (default qemu, under TCG). firecracker and
                        cloud-hypervisor need KVM (/dev/kvm) and their binary
                        in PATH; they give no --net user. auto: firecracker,
                        then cloud-hypervisor, when usable, else qemu, and
                        says which and why
  --machine pc|microvm  QEMU machine type (default pc; QEMU only)
  --net none|user       user: attach a virtio NIC (the guest's eth0) to QEMU's
                        user-mode network with restrict=on (no way out to the
                        host or beyond, no port forwarded; its network is
                        10.0.2.0/24, gateway 10.0.2.2); default none. The pod
                        file's machine.network configures eth0 (disk root)
  --control-port [127.0.0.1:]PORT
                        forward the host's 127.0.0.1:PORT (loopback only) to
                        the pod's control API over TCP (the pod file's
                        control.tcp.port); implies --net user. The pod file
                        must give eth0 QEMU's guest address, 10.0.2.15/24
                        (machine.network). Then: weft-ctl --tcp 127.0.0.1:PORT
  --append WORDS        extra kernel command-line words, space-separated (may
                        be repeated), e.g. "weft.ip=10.0.2.15/24 weft.gw=10.0.2.2
                        weft.dns=10.0.2.3"; none may set what weft-vm sets
                        (init=, rdinit=, root=, console=, panic=, PATH=, ...)
                        nor be "--"
  --timeout SECONDS     kill the VMM after this long (default 600)
  --timeline            print when each boot phase showed on the console

The pod file and every path it names (bundles, rootfs, plugins) must lie under
its directory; they are copied to /pod in the VM. QEMU runs with -accel tcg.
The serial console is streamed to stdout (container lines prefixed "[id] ").
Ctrl-C (or SIGTERM) asks the pod to stop gracefully: weft-vm presses
Ctrl-Alt-Del (QEMU's monitor, Firecracker's API), which weft-init as PID 1
receives as SIGINT, or cloud-hypervisor's power button; a second Ctrl-C (a
second or more later) kills the VMM.

Exit: the pod's exit code; ${EXIT_USAGE} for a bad command line or pod file; ${EXIT_VM} when the
VM gave no exit code (the build or the VMM failed, the kernel panicked, timeout).
`;

function say(message: string): void {
  Deno.stderr.writeSync(new TextEncoder().encode(`weft-vm: ${message}\n`));
}

function fail(message: string, code: number): number {
  say(message);
  return code;
}

function buildOptions(values: ParsedArgs["values"]): BuildOptions {
  const memory = values.memory === undefined ? undefined : Number(values.memory);
  if (memory !== undefined && (!Number.isInteger(memory) || memory < 128)) {
    throw new TypeError(`Invalid --memory "${values.memory}": expected MiB, at least 128`);
  }
  return {
    outDir: values.out as string | undefined,
    cacheDir: values["cache-dir"] as string | undefined,
    // buildImage checks it (a TypeError, so exit 2) before it builds anything.
    root: values.root as BuildOptions["root"],
    runtime: values.runtime as string | undefined,
    init: values.init as string | undefined,
    kernel: values.kernel as string | undefined,
    codeCache: !values["no-code-cache"],
    memoryMib: memory,
    onProgress: (message) => say(message),
  };
}

/**
 * `--control-port`: `PORT` or `127.0.0.1:PORT`. Any other host address is
 * refused: the forward has no authentication, so only the host's loopback
 * may reach it.
 */
function parseControlPort(value: string | undefined): number | undefined | Error {
  if (value === undefined) return undefined;
  const match = /^(?:(.*):)?(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (match === null || port < 1 || port > 65535) {
    return new Error(`Invalid --control-port "${value}": expected PORT or 127.0.0.1:PORT`);
  }
  if (match[1] !== undefined && match[1] !== "127.0.0.1") {
    return new Error(
      `Invalid --control-port "${value}": the host side is 127.0.0.1 only (the control API ` +
        "has no authentication)",
    );
  }
  return port;
}

async function isImageDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(`${path}/vm.json`)).isFile;
  } catch {
    return false;
  }
}

async function run(
  target: string,
  values: ParsedArgs["values"],
): Promise<number> {
  const machine = values.machine as string;
  if (machine !== "pc" && machine !== "microvm") {
    return fail(`Invalid --machine "${machine}": expected pc or microvm`, EXIT_USAGE);
  }
  const controlPort = parseControlPort(values["control-port"] as string | undefined);
  if (controlPort instanceof Error) return fail(controlPort.message, EXIT_USAGE);
  const net = (values.net ?? (controlPort === undefined ? "none" : "user")) as string;
  if (net !== "none" && net !== "user") {
    return fail(`Invalid --net "${net}": expected none or user`, EXIT_USAGE);
  }
  if (controlPort !== undefined && net !== "user") {
    return fail("--control-port needs --net user (the forward is on its network)", EXIT_USAGE);
  }
  const timeout = Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0) {
    return fail(`Invalid --timeout "${values.timeout}": expected whole seconds`, EXIT_USAGE);
  }
  const append = (values.append ?? []).flatMap((words) => words.split(/\s+/)).filter((w) => w);
  try {
    // What it can check before the build; bootImage also checks against the image's own words.
    checkAppendWords(append);
  } catch (error) {
    return fail((error as Error).message, EXIT_USAGE);
  }
  // Before the build: a VMM that cannot run here fails at once.
  const vmm = await selectVmm(values.vmm as string, { needsUserNet: net === "user" });
  if (values.vmm === "auto") say(`booting with ${vmm.vmm} (${vmm.reason})`);
  const dir = await isImageDir(target)
    ? target
    : (await buildImage(target, buildOptions(values))).dir;
  const stop = new AbortController();
  const kill = new AbortController();
  let firstSignal = 0;
  const onSignal = () => {
    // A terminal's Ctrl-C reaches both `deno task` and weft-vm, and deno task forwards its own
    // copy: signals within a second of the first are that same keypress.
    if (stop.signal.aborted && performance.now() - firstSignal < DOUBLE_DELIVERY_MS) return;
    if (stop.signal.aborted) {
      say(`second interrupt: killing ${vmm.vmm}`);
      kill.abort();
    } else {
      say(
        `stopping the pod gracefully (${
          vmm.vmm === "cloud-hypervisor" ? "the power button" : "Ctrl-Alt-Del"
        } to weft-init); Ctrl-C again kills ${vmm.vmm}`,
      );
      firstSignal = performance.now();
      stop.abort();
    }
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const encoder = new TextEncoder();
  try {
    const result = await bootImage(dir, {
      vmm: vmm.vmm,
      append,
      machine,
      net,
      controlPort,
      timeoutSeconds: timeout,
      stop: stop.signal,
      kill: kill.signal,
      onLine: (line) => Deno.stdout.writeSync(encoder.encode(`${line.text}\n`)),
    });
    if (values.timeline) {
      say(
        `boot timeline (ms since ${vmm.vmm} started):\n${
          formatTimeline(bootTimeline(result.lines, result.ms))
        }`,
      );
    }
    if (result.exitCode === undefined) {
      const tail = result.stderr.trim();
      return fail(`${result.problem}${tail ? `: ${tail}` : ""}`, EXIT_VM);
    }
    if (result.exitCode !== 0) say(`the pod ended with exit code ${result.exitCode}`);
    return result.exitCode;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

const OPTIONS = {
  out: { type: "string", short: "o" },
  root: { type: "string" },
  runtime: { type: "string" },
  init: { type: "string" },
  kernel: { type: "string" },
  "no-code-cache": { type: "boolean" },
  memory: { type: "string" },
  "cache-dir": { type: "string" },
  vmm: { type: "string", default: "qemu" },
  machine: { type: "string", default: "pc" },
  net: { type: "string" },
  "control-port": { type: "string" },
  append: { type: "string", multiple: true },
  timeout: { type: "string", default: "600" },
  timeline: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

type ParsedArgs = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>
>;

function parseCommandLine(args: string[]): ParsedArgs | Error {
  try {
    return parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (error) {
    return error as Error;
  }
}

function print(text: string): number {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
  return 0;
}

async function main(args: string[]): Promise<number> {
  const parsed = parseCommandLine(args);
  if (parsed instanceof Error) return fail(`${parsed.message} (see --help)`, EXIT_USAGE);
  const { values, positionals } = parsed;
  if (values.help) return print(HELP);
  const [command, target, ...rest] = positionals;
  if (command !== "build" && command !== "run") {
    return fail(
      command === undefined
        ? "expected a command: build or run (see --help)"
        : `Unknown command "${command}": expected build or run (see --help)`,
      EXIT_USAGE,
    );
  }
  if (target === undefined || rest.length > 0) {
    return fail(
      `${command} takes one argument: the pod file${
        command === "run" ? " or an image directory" : ""
      }`,
      EXIT_USAGE,
    );
  }
  try {
    if (command === "run") return await run(target, values);
    if (values.out === undefined) {
      return fail("build needs -o DIR: where the image goes", EXIT_USAGE);
    }
    const image = await buildImage(target, buildOptions(values));
    say(`image ${image.cached ? "up to date" : `built in ${image.buildMs} ms`}: ${image.dir}`);
    return 0;
  } catch (error) {
    const err = error as Error;
    // RangeError: an option out of range that only the image could tell (bootImage's checks).
    const usage = err instanceof TypeError || err instanceof RangeError ||
      err.name === "ConfigError" ||
      err.name === "PodImageError";
    return fail(err.message, usage ? EXIT_USAGE : EXIT_VM);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
