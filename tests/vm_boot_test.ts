/**
 * End to end: the bundled init is the literal PID 1 of a QEMU micro-VM
 * built by @weft/vm (TCG, Debian's kernel, ext4 system and pod disks). It
 * sets the machine up (lo, hostname, open files, entropy), runs a pod,
 * powers the VM off itself and reports the pod's exit code. Each boot
 * prints its per-phase timeline. Images are cached under .tools/vm/ by
 * content hash. Run alone with `deno test -A tests/vm_boot_test.ts`, or
 * boot one scenario with `deno run -A tests/vm/run.ts --scenario pod-crun --verbose`.
 */
import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { ControlClient, ControlUnreachableError, type EventFrame } from "@weft/control";
import { type BootResult, formatTimeline } from "@weft/vm";
import { bootScenario, type BootScenarioOptions, type ScenarioRun } from "./vm/boot_scenario.ts";
import { bundleInit } from "./vm/init_bundle.ts";
import { controlPod, machinePod, netPod, powerButtonPod, type Scenario } from "./vm/scenarios.ts";

// In CI a missing tool throws here, failing the file instead of skipping it.
const tools = await Promise.all(
  ["qemu-system-x86_64", "cpio", "mke2fs", "apt-get"].map((name) => requireBinary(name)),
);
const ignore = tools.includes(undefined);

let init: Promise<string> | undefined;

function explain(result: ScenarioRun): string {
  const tail = result.boot.lines.slice(-40).map((l) => `  ${l.ms} | ${l.text}`).join("\n");
  return `${result.verdict.message}\nserial log: ${result.logPath}\nlast lines:\n${tail}`;
}

for (const runtime of ["crun", "runc"] as const) {
  Deno.test({
    name:
      `the bundled init as PID 1 of a micro-VM sets the machine up and runs a pod on ${runtime}`,
    ignore,
    async fn(): Promise<void> {
      init ??= bundleInit();
      const result = await bootScenario(machinePod(runtime), { init: await init });
      assert.ok(result.verdict.pass, explain(result));
      assert.equal(result.boot.exitCode, 0);
      assert.ok(result.timeline.some((p) => p.name === "first container running"));
      // deno-lint-ignore no-console
      console.log(
        `pod-${runtime} boot timeline (ms since QEMU started; image ${
          result.image.cached ? "cached" : `built in ${result.image.buildMs} ms`
        }):\n${formatTimeline(result.timeline)}`,
      );
    },
  });
}

Deno.test({
  name: "on QEMU's microvm machine the disk root mounts over virtio-mmio and the pod runs",
  ignore,
  async fn(): Promise<void> {
    init ??= bundleInit();
    // A name of its own: its serial log must not replace the pc boot's.
    const scenario = { ...machinePod("crun"), name: "pod-crun-microvm" };
    const result = await bootScenario(scenario, { init: await init, machine: "microvm" });
    assert.ok(result.verdict.pass, explain(result));
    assert.ok(result.timeline.some((p) => p.name === "early init switched to the disk root"));
  },
});

Deno.test({
  name: "a micro-VM with a NIC gets the pod file's static eth0 network: address, route and DNS",
  ignore,
  async fn(): Promise<void> {
    init ??= bundleInit();
    const result = await bootScenario(netPod(), { init: await init });
    assert.ok(result.verdict.pass, explain(result));
    assert.equal(result.boot.exitCode, 0);
  },
});

Deno.test({
  name: "weft.ip=, weft.gw= and weft.dns= on the kernel command line (--append) replace the pod " +
    "file's eth0 network",
  ignore,
  async fn(): Promise<void> {
    init ??= bundleInit();
    const result = await bootScenario(netPod("kernel-line"), { init: await init });
    assert.ok(result.verdict.pass, explain(result));
    assert.match(
      result.boot.append,
      /weft\.ip=10\.0\.2\.16\/24 .*weft\.dns=10\.0\.2\.3,10\.0\.2\.4 .*-- /,
    );
    assert.equal(result.boot.exitCode, 0);
  },
});

/** A free port of the host's loopback: bind port 0, read the port the kernel chose, let it go. */
function freeLoopbackPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Whether QEMU refused to start because it could not bind the forward's host port. */
function hostForwardRefused(boot: BootResult): boolean {
  return boot.vmmStatus === 1 && boot.stderr.includes("Could not set up host forwarding rule");
}

/** A boot whose control API is forwarded from `port`, and the boots refused before it. */
interface ForwardedBoot {
  port: number;
  booted: Promise<ScenarioRun>;
  refused: number[];
}

/**
 * Boots `scenario` with its control API forwarded from a port of the host's
 * loopback, resolving once the console shows `readyMark` (or the boot has
 * ended). Between the pick of a free port and QEMU's bind another process
 * may take it (the pick happens before the wait for the VM lock, too): QEMU
 * then exits at once, before the guest starts, saying it could not set up
 * the forwarding rule. That boot is done again on the next port of `ports`,
 * up to 5 ports in all.
 */
async function bootForwarded(
  scenario: Scenario,
  options: BootScenarioOptions,
  readyMark: string,
  ports: Iterator<number>,
): Promise<ForwardedBoot> {
  const refused: number[] = [];
  for (;;) {
    const port: number = ports.next().value;
    const { promise: ready, resolve: onReady } = Promise.withResolvers<"ready">();
    const booted = bootScenario(scenario, {
      ...options,
      controlPort: port,
      onLine: (line) => line.text.includes(readyMark) && onReady("ready"),
    });
    const first = await Promise.race([ready, booted]);
    if (first === "ready" || !hostForwardRefused(first.boot)) return { port, booted, refused };
    refused.push(port);
    if (refused.length === 5) throw new Error(`QEMU could bind none of the ports ${refused}`);
  }
}

/** `first` if given, then free ports of the host's loopback. */
function* loopbackPorts(first?: number): Generator<number, never> {
  if (first !== undefined) yield first;
  for (;;) yield freeLoopbackPort();
}

/** The first answer of `health`: the forward connects before the guest's listener may be up. */
async function firstHealth(client: ControlClient, booted: Promise<unknown>): Promise<void> {
  let over = false;
  booted.finally(() => (over = true));
  while (!over) {
    try {
      await client.health();
      return;
    } catch (error) {
      if (!(error instanceof ControlUnreachableError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error("the VM ended before its control API answered");
}

Deno.test({
  name:
    "the host drives a micro-VM's pod through the control API over TCP: status, events, exec, stop",
  ignore,
  async fn(): Promise<void> {
    init ??= bundleInit();
    // The first port offered is taken (held here): the boot must see QEMU refuse it and retry.
    using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port, booted, refused } = await bootForwarded(
      controlPod(),
      { init: await init },
      "VM-MARK app ready",
      loopbackPorts(taken.addr.port),
    );
    assert.deepEqual(refused.slice(0, 1), [taken.addr.port], "QEMU took a port already bound");
    using client = new ControlClient({ transport: "tcp", hostname: "127.0.0.1", port });
    await firstHealth(client, booted);
    const status = await client.status();
    assert.equal(status.pod.state, "running");
    assert.equal(status.pod.runtime, "crun");
    assert.equal(status.containers.app?.state, "running");
    const events: EventFrame[] = [];
    for await (const frame of client.events({ after: 0 })) events.push(frame);
    const types = events.map((f) => "seq" in f ? f.event.type : "gap");
    assert.deepEqual(types.slice(0, 2), ["container-created", "container-started"], `${types}`);
    assert.equal(events[0] && "seq" in events[0] ? events[0].seq : 0, 1);
    const exec = await client.exec("app", ["sh", "-c", "echo $X; echo oops >&2; exit 3"], {
      env: ["X=from-the-host"],
    });
    assert.deepEqual(exec, { code: 3, stdout: "from-the-host\n", stderr: "oops\n" });
    const last = events.at(-1);
    const cursor = last !== undefined && "seq" in last ? last.seq : 0;
    await client.stopPod("host test");
    const after: string[] = [];
    for await (const frame of client.events({ after: cursor, follow: true })) {
      if ("seq" in frame) {
        after.push(
          `${frame.event.type}${"exitCode" in frame.event ? ` ${frame.event.exitCode}` : ""}`,
        );
      }
    }
    assert.equal(after[0], "pod-stopping", `${after}`);
    assert.equal(after.at(-1), "pod-ended 7", `${after}`);
    const result = await booted;
    assert.ok(result.verdict.pass, explain(result));
    assert.equal(result.boot.exitCode, 7);
    // QEMU left through isa-debug-exit: (7 << 1) | 1.
    assert.equal(result.boot.vmmStatus, 15);
  },
});

Deno.test({
  name:
    "the ACPI power button (cloud-hypervisor's graceful stop) stops the pod as Ctrl-Alt-Del does",
  ignore,
  async fn(): Promise<void> {
    init ??= bundleInit();
    const press = new AbortController();
    const result = await bootScenario(powerButtonPod(), {
      init: await init,
      // QEMU's system_powerdown presses the same ACPI power button as cloud-hypervisor's API.
      stopWith: "power-button",
      stop: press.signal,
      onLine: (line) => line.text.includes("VM-MARK app ready") && press.abort(),
    });
    assert.ok(press.signal.aborted, explain(result));
    assert.ok(result.verdict.pass, explain(result));
    assert.equal(result.boot.exitCode, 5);
  },
});
