// What the tests of generated bundles share: a busybox rootfs, the real crun
// and runc set up for this host, and running a generated bundle to its end.
import assert from "node:assert/strict";
import { type ContainerSpec, type OciConfig, writeBundle } from "@weft/bundle";
import { OciCliRuntime } from "@weft/runtime";
import { createBusyboxBundle, poll, requireBinary } from "@weft/runtime/testing";
import { configSchemaErrors } from "../packages/bundle/_oci_schema_test_utils.ts";

export const crun: string | undefined = await requireBinary("crun");
export const runc: string | undefined = await requireBinary("runc");
export const busybox: string | undefined = await requireBinary("busybox");

/**
 * A busybox rootfs at `<parent>/rootfs` with an `app` user (1000) and an
 * `extra` group (2000) holding it.
 */
export async function busyboxRootfs(parent: string): Promise<string> {
  const rootfs = `${parent}/rootfs`;
  const image = await createBusyboxBundle({ parent });
  await Deno.rename(`${image.dir}/rootfs`, rootfs);
  await image.remove();
  await Deno.writeTextFile(
    `${rootfs}/etc/passwd`,
    "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n",
  );
  await Deno.writeTextFile(`${rootfs}/etc/group`, "root:x:0:\napp:x:1000:\nextra:x:2000:app\n");
  return rootfs;
}

/** One runtime under test. */
export interface Target {
  name: string;
  runtime: OciCliRuntime;
  /** What the cgroup limits do with this runtime on this host. */
  limits: "applied" | "refused" | "ignored";
}

/** Whether this process holds CAP_SYS_RESOURCE (bit 24 of CapEff). */
async function hasSysResource(): Promise<boolean> {
  const status = await Deno.readTextFile("/proc/self/status");
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? "0";
  return (BigInt(`0x${hex}`) & (1n << 24n)) !== 0n;
}

/** The controllers of the cgroup2 on /sys/fs/cgroup, if it is one. */
export async function cgroup2Controllers(): Promise<string[] | undefined> {
  const text = await Deno.readTextFile("/sys/fs/cgroup/cgroup.controllers").catch(() => undefined);
  return text?.trim().split(/\s+/);
}

/** Whether the cgroup2 on /sys/fs/cgroup has the memory and pids controllers. */
export async function pureV2WithLimits(): Promise<boolean> {
  const controllers = await cgroup2Controllers();
  return controllers !== undefined &&
    ["memory", "pids"].every((name) => controllers.includes(name));
}

/** crun and runc (those installed), with state roots under `work`. */
export async function bundleTargets(work: string): Promise<Target[]> {
  const targets: Target[] = [];
  const controllers = await cgroup2Controllers();
  const withLimits = await pureV2WithLimits();
  if (crun !== undefined) {
    // crun puts an eBPF device filter in place whenever a config has
    // linux.resources (ours always holds the deny-all device rule); that
    // raises RLIMIT_MEMLOCK, which needs CAP_SYS_RESOURCE. Without it,
    // --cgroup-manager=disabled is the only way crun runs: then no limit applies.
    const disabled = !(await hasSysResource()) || !withLimits;
    targets.push({
      name: "crun",
      runtime: new OciCliRuntime({
        name: "crun",
        binary: crun,
        root: `${work}/crun-root`,
        globalArgs: disabled ? ["--cgroup-manager=disabled"] : [],
      }),
      limits: disabled ? "ignored" : "applied",
    });
  }
  if (runc !== undefined) {
    targets.push({
      name: "runc",
      runtime: new OciCliRuntime({ name: "runc", binary: runc, root: `${work}/runc-root` }),
      // In the test namespace /sys/fs/cgroup is cgroup2 holding only the
      // controllers the host did not bind to its cgroup v1 hierarchies.
      limits: controllers === undefined || withLimits ? "applied" : "refused",
    });
  }
  return targets;
}

/** What a container run to its end gave. */
export interface Run {
  stdout: string;
  stderr: string;
  config: OciConfig;
}

/**
 * Generates the bundle of `spec` in `dir`, checks its config against the
 * schema, runs it as `id` to the end and deletes it.
 */
export async function runBundle(
  target: Target,
  spec: ContainerSpec,
  place: { id: string; dir: string },
): Promise<Run> {
  const { id } = place;
  await using bundle = await writeBundle(place.dir, spec, { id });
  assert.deepEqual(await configSchemaErrors(bundle.config), []);
  const out = collector();
  const err = collector();
  try {
    await target.runtime.create(id, bundle.dir, { stdout: out.stream, stderr: err.stream });
    await target.runtime.start(id);
    const [stdout, stderr] = await Promise.all([out.text, err.text]);
    await waitStopped(target.runtime, id);
    return { stdout, stderr, config: bundle.config };
  } finally {
    await target.runtime.delete(id, { force: true }).catch(() => {});
  }
}

/** A stream to hand a container, and what was written to it. */
export interface Collector {
  stream: WritableStream<Uint8Array>;
  /** Everything written, once the stream closes (the container exited). */
  text: Promise<string>;
  /** The first `count` lines, as soon as they arrive. */
  lines(count: number): Promise<string[]>;
}

/** A {@linkcode Collector}. */
export function collector(): Collector {
  let text = "";
  const decoder = new TextDecoder();
  const waiters: (() => void)[] = [];
  let done!: (text: string) => void;
  const finished = new Promise<string>((resolve) => (done = resolve));
  const wake = () => waiters.splice(0).forEach((waiter) => waiter());
  const stream = new WritableStream<Uint8Array>({
    write(chunk): void {
      text += decoder.decode(chunk, { stream: true });
      wake();
    },
    close(): void {
      text += decoder.decode();
      done(text);
      wake();
    },
    abort(): void {
      done(text);
      wake();
    },
  });
  async function lines(count: number): Promise<string[]> {
    let closed = false;
    finished.then(() => (closed = true));
    while (text.split("\n").length <= count && !closed) {
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
    return text.split("\n").slice(0, count);
  }
  return { stream, text: finished, lines };
}

/** Waits until the runtime reports `id` stopped (its output closing comes first). */
export async function waitStopped(runtime: OciCliRuntime, id: string): Promise<void> {
  await poll(
    async () => (await runtime.state(id)).status,
    (status) => status === "stopped" || status === "",
    `container "${id}" to stop`,
    { timeout: 5_000, interval: 50 },
  );
}

/** Names of the containers left in a target's state root. */
export async function leftovers(work: string, target: Target): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${work}/${target.name}-root`)) found.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found;
}
