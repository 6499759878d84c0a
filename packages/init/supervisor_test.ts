// The supervisor and its container units against a fake runtime, a fake
// exit watcher and a fake clock: no root, no process, milliseconds.
import assert from "node:assert/strict";
import { parseConfig } from "./config.ts";
import {
  FakeClock,
  FakeExits,
  FakeRunRuntime,
  FakeRuntime,
  fakeUnitContext,
  settle,
  until,
} from "./_supervisor_fakes.ts";
import type { PodEvent } from "./pod_event.ts";
import { Supervisor } from "./supervisor.ts";
import type { PodResult, SupervisorOptions } from "./supervisor_options.ts";
import {
  ContainerRestartSupersededError,
  IllegalTransitionError,
  PodContainerNotFoundError,
  PodContainerNotRunningError,
  PodStoppingError,
} from "./supervisor_errors.ts";
import { ContainerUnit } from "./container_unit.ts";
import { TRANSITIONS } from "./container_phase.ts";

interface Pod extends AsyncDisposable {
  supervisor: Supervisor;
  runtime: FakeRuntime;
  exits: FakeExits;
  clock: FakeClock;
  events: PodEvent[];
  result: Promise<PodResult>;
  /** `type id` of each container event (and `type` of pod events), in order. */
  trail(): string[];
  phase(id: string): string;
}

async function startPod(
  containers: Record<string, unknown>[],
  pod: Record<string, unknown> = {},
  before: (runtime: FakeRuntime) => void = () => {},
  options: Pick<SupervisorOptions, "maxParallelStarts"> & { withRun?: boolean } = {},
): Promise<Pod> {
  const dir = await Deno.makeTempDir({ prefix: "weft-sm-test-" });
  const config = parseConfig({
    containers: containers.map((c) => ({ bundle: "/bundles/x", stdio: "none", ...c })),
    pod,
    statusFile: `${dir}/status.json`,
  });
  const clock = new FakeClock();
  const exits = new FakeExits(clock);
  const runtime = options.withRun ? new FakeRunRuntime(exits) : new FakeRuntime(exits);
  before(runtime);
  const supervisor = new Supervisor(config, {
    runtime,
    reaper: exits,
    clock,
    runDir: dir,
    killPid: () => {},
    ...options,
  });
  const events: PodEvent[] = [];
  supervisor.subscribe((event) => events.push(event));
  const result = supervisor.run();
  return {
    supervisor,
    runtime,
    exits,
    clock,
    events,
    result,
    trail: () => events.map((e) => "id" in e ? `${e.type} ${e.id}` : e.type),
    phase: (id) => supervisor.status().containers[id].state,
    async [Symbol.asyncDispose](): Promise<void> {
      void supervisor.stop("test over");
      await clock.advance(60_000);
      await result;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("a container that exits 0 under on-failure ends the pod with code 0", async () => {
  await using pod = await startPod([{ id: "job" }]);
  await until(() => pod.phase("job") === "running", "job running");
  pod.exits.exit(pod.runtime.pid("job"), 0);
  const { exitCode, status } = await pod.result;
  assert.equal(exitCode, 0);
  assert.equal(status.containers.job.state, "exited");
  assert.deepEqual(pod.trail(), [
    "container-created job",
    "container-started job",
    "container-exited job",
    "pod-stopping",
    "pod-ended",
  ]);
  assert.deepEqual(pod.runtime.calls, ["create job", "start job", "delete job"]);
});

Deno.test("restart backoff doubles up to its cap, timed by the clock", async () => {
  await using pod = await startPod([{
    id: "crash",
    restart: { policy: "always", backoff: { initial: 100, factor: 2, cap: 300 }, startLimit: 0 },
  }]);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    await until(() => pod.phase("crash") === "running", `run ${i}`);
    pod.exits.exit(pod.runtime.pid("crash"), 1);
    await until(() => pod.phase("crash") === "backoff", `backoff ${i}`);
    const event = pod.events.at(-1)!;
    assert.equal(event.type, "container-restarting");
    if (event.type === "container-restarting") delays.push(event.delay);
    const expected = Math.min(300, 100 * 2 ** i);
    await pod.clock.advance(expected - 1);
    assert.equal(pod.phase("crash"), "backoff", "restarted before its delay");
    await pod.clock.advance(1);
  }
  assert.deepEqual(delays, [100, 200, 300, 300]);
  const status = pod.supervisor.status().containers.crash;
  assert.equal(status.restartCount, 4);
  assert.equal(status.exitCount, 4);
});

Deno.test("ranFor runs from the start to the reaper's exit time", async () => {
  await using pod = await startPod([{ id: "job", restart: { policy: "never" } }]);
  await until(() => pod.phase("job") === "running", "job running");
  await pod.clock.advance(1234);
  pod.exits.exit(pod.runtime.pid("job"), 3);
  const { exitCode, status } = await pod.result;
  assert.equal(exitCode, 3);
  assert.equal(status.containers.job.exits[0].ranFor, 1234);
  assert.equal(status.containers.job.exits[0].code, 3);
});

Deno.test("ranFor is measured on the monotonic clock across wall-clock steps", async () => {
  await using pod = await startPod([{ id: "job", restart: { policy: "always", startLimit: 0 } }]);
  const steps = [-3_600_000, 86_400_000];
  for (const [i, step] of steps.entries()) {
    await until(() => pod.phase("job") === "running", `run ${i}`);
    await pod.clock.advance(1000);
    // The host sets the VM's clock while the container runs.
    pod.clock.stepWall(step);
    await pod.clock.advance(234);
    pod.exits.exit(pod.runtime.pid("job"), 1);
    await until(() => pod.phase("job") === "backoff", `backoff ${i}`);
    await pod.clock.advance(100);
  }
  const exits = pod.supervisor.status().containers.job.exits;
  assert.deepEqual(exits.map((e) => e.ranFor), [1234, 1234]);
  // The times people read stay on the wall clock, steps included.
  const started = pod.events.filter((e) => e.type === "container-started");
  const exited = pod.events.filter((e) => e.type === "container-exited");
  assert.deepEqual(exited.map((e, i) => e.at - started[i].at), [1234 + steps[0], 1234 + steps[1]]);
});

Deno.test("backoff resets after a stable run however the wall clock steps", async () => {
  await using pod = await startPod([{
    id: "crash",
    restart: {
      policy: "always",
      backoff: { initial: 100, factor: 2, cap: 10_000, resetAfter: 60_000 },
      startLimit: 0,
    },
  }]);
  // How long each run lasts, and the wall-clock step during it.
  const runs = [
    { ranFor: 10, step: 0 },
    { ranFor: 10, step: 3_600_000 }, // forward: still an unstable run
    { ranFor: 60_000, step: -3_600_000 }, // back: still a stable run
    { ranFor: 10, step: 0 }, // unstable again, counted from one
  ];
  const delays: number[] = [];
  for (const [i, { ranFor, step }] of runs.entries()) {
    await until(() => pod.phase("crash") === "running", `run ${i}`);
    await pod.clock.advance(ranFor / 2);
    pod.clock.stepWall(step);
    await pod.clock.advance(ranFor / 2);
    pod.exits.exit(pod.runtime.pid("crash"), 1);
    await until(() => pod.phase("crash") === "backoff", `backoff ${i}`);
    const event = pod.events.at(-1)!;
    assert.equal(event.type, "container-restarting");
    if (event.type === "container-restarting") delays.push(event.delay);
    await pod.clock.advance(delays.at(-1)!);
  }
  assert.deepEqual(delays, [100, 200, 100, 100]);
});

Deno.test("the start limit marks a container failed and gives the pod its status", async () => {
  await using pod = await startPod([{
    id: "crash",
    restart: { policy: "always", startLimit: 2, backoff: { initial: 10 } },
  }]);
  await until(() => pod.phase("crash") === "running", "first run");
  pod.exits.exit(pod.runtime.pid("crash"), 7);
  await until(() => pod.phase("crash") === "backoff", "backoff");
  await pod.clock.advance(10);
  await until(() => pod.phase("crash") === "running", "second run");
  pod.exits.exit(pod.runtime.pid("crash"), 7);
  const { exitCode, status } = await pod.result;
  assert.equal(exitCode, 7);
  assert.equal(status.containers.crash.state, "failed");
  assert.match(status.containers.crash.error!, /^start limit reached: 2 unstable starts in a row/);
});

Deno.test("a failed create is retried after backoff, and fails for good under policy never", async () => {
  await using pod = await startPod(
    [{ id: "bad", restart: { policy: "never" } }],
    {},
    (runtime) => runtime.behaviour.set("bad", { createError: "no such rootfs" }),
  );
  const { exitCode, status } = await pod.result;
  assert.equal(exitCode, 125);
  assert.equal(status.containers.bad.state, "failed");
  assert.match(status.containers.bad.error!, /no such rootfs/);
  assert.ok(pod.trail().includes("container-failed bad"));
  assert.deepEqual(pod.runtime.calls, ["create bad", "delete bad"]);
});

Deno.test("a dependent never starts when its dependency never ran", async () => {
  await using pod = await startPod(
    [{ id: "db", restart: { policy: "never" } }, { id: "web", dependsOn: ["db"] }],
    {},
    (runtime) => runtime.behaviour.set("db", { startError: "exec failed" }),
  );
  const { status } = await pod.result;
  assert.equal(status.containers.web.state, "failed");
  assert.match(status.containers.web.error!, /its dependency "db" never ran/);
  assert.ok(!pod.runtime.calls.includes("create web"));
});

Deno.test("the pod stops in reverse dependency order: dependents first", async () => {
  await using pod = await startPod([
    { id: "db" },
    { id: "web", dependsOn: ["db"] },
    { id: "side", dependsOn: ["web"] },
  ]);
  await until(() => pod.phase("side") === "running", "all running");
  assert.deepEqual(
    pod.runtime.calls.filter((c) => c.startsWith("start")),
    ["start db", "start web", "start side"],
  );
  await pod.supervisor.stop("test");
  assert.deepEqual(
    pod.runtime.calls.filter((c) => c.startsWith("kill")),
    ["kill side SIGTERM", "kill web SIGTERM", "kill db SIGTERM"],
  );
  const { status } = await pod.result;
  assert.equal(status.pod.stopReason, "test");
  for (const id of ["db", "web", "side"]) assert.equal(status.containers[id].state, "stopped");
});

Deno.test("a stop while waiting for a dependency stops the dependent without creating it", async () => {
  const gate = Promise.withResolvers<void>();
  await using pod = await startPod(
    [{ id: "db" }, { id: "web", dependsOn: ["db"] }],
    {},
    (runtime) => runtime.behaviour.set("db", { createGate: gate.promise }),
  );
  await until(() => pod.runtime.calls.includes("create db"), "db being created");
  const stopping = pod.supervisor.stop("test");
  assert.equal(pod.phase("web"), "stopped");
  gate.resolve();
  await stopping;
  assert.ok(!pod.runtime.calls.some((c) => c.endsWith(" web")));
});

Deno.test("a stop during create deletes the container without starting it", async () => {
  const gate = Promise.withResolvers<void>();
  await using pod = await startPod(
    [{ id: "slow" }],
    {},
    (runtime) => runtime.behaviour.set("slow", { createGate: gate.promise }),
  );
  await until(() => pod.runtime.calls.includes("create slow"), "create begun");
  assert.equal(pod.phase("slow"), "creating");
  const stopping = pod.supervisor.stop("test");
  gate.resolve();
  await stopping;
  assert.deepEqual(pod.runtime.calls, ["create slow", "delete slow"]);
  assert.equal((await pod.result).status.containers.slow.state, "stopped");
});

Deno.test("with a runtime that has run, a container starts in one call and its exit is kept", async () => {
  await using pod = await startPod([{ id: "a" }], {}, () => {}, { withRun: true });
  await until(() => pod.phase("a") === "running", "a running");
  assert.deepEqual(pod.runtime.calls, ["run a"]);
  assert.deepEqual(
    pod.trail().filter((t) => t.endsWith(" a")),
    ["container-created a", "container-started a"],
  );
  pod.exits.exit(pod.runtime.pid("a"), 3);
  await until(() => pod.supervisor.status().containers.a.exitCount === 1, "exit recorded");
  assert.equal(pod.supervisor.status().containers.a.exits[0].status, 3);
});

Deno.test("with run, a stop during the call kills and deletes the container it started", async () => {
  const gate = Promise.withResolvers<void>();
  await using pod = await startPod(
    [{ id: "slow" }],
    {},
    (runtime) => runtime.behaviour.set("slow", { createGate: gate.promise }),
    { withRun: true },
  );
  await until(() => pod.runtime.calls.includes("create slow"), "run begun");
  const stopping = pod.supervisor.stop("test");
  gate.resolve();
  await stopping;
  assert.deepEqual(pod.runtime.calls, ["run slow", "delete slow"]);
  assert.equal((await pod.result).status.containers.slow.state, "stopped");
});

Deno.test("an id the runtime still holds at start is deleted and created again, with no list call", async () => {
  await using pod = await startPod([{ id: "a" }, { id: "b" }], {}, (runtime) => runtime.hold("a"));
  await until(() => pod.phase("a") === "running" && pod.phase("b") === "running", "running");
  assert.deepEqual(pod.runtime.calls.filter((c) => c.endsWith(" a")), [
    "create a",
    "delete a",
    "create a",
    "start a",
  ]);
  assert.deepEqual(pod.runtime.calls.filter((c) => c.endsWith(" b")), ["create b", "start b"]);
  const status = pod.supervisor.status().containers.a;
  assert.equal(status.error, null);
  assert.equal(status.restartCount, 0);
});

Deno.test("maxParallelStarts 1 creates and starts one container at a time, in order", async () => {
  const gate = Promise.withResolvers<void>();
  await using pod = await startPod(
    [{ id: "a" }, { id: "b" }, { id: "c" }],
    {},
    (runtime) => runtime.behaviour.set("a", { createGate: gate.promise }),
    { maxParallelStarts: 1 },
  );
  await until(() => pod.runtime.calls.includes("create a"), "a being created");
  await settle();
  assert.deepEqual(pod.runtime.calls, ["create a"]);
  assert.equal(pod.phase("b"), "creating");
  gate.resolve();
  await until(() => ["a", "b", "c"].every((id) => pod.phase(id) === "running"), "all running");
  assert.deepEqual(pod.runtime.calls, [
    "create a",
    "start a",
    "create b",
    "start b",
    "create c",
    "start c",
  ]);
});

Deno.test("a stop while waiting for a start slot stops the container without creating it", async () => {
  const gate = Promise.withResolvers<void>();
  await using pod = await startPod(
    [{ id: "a" }, { id: "b" }],
    {},
    (runtime) => runtime.behaviour.set("a", { createGate: gate.promise }),
    { maxParallelStarts: 1 },
  );
  await until(() => pod.runtime.calls.includes("create a"), "a being created");
  const stopping = pod.supervisor.stop("test");
  gate.resolve();
  await stopping;
  assert.deepEqual(pod.runtime.calls, ["create a", "delete a"]);
  const { status } = await pod.result;
  assert.equal(status.containers.b.state, "stopped");
  assert.equal(status.containers.b.error, null);
});

Deno.test("maxParallelStarts must be a positive integer or Infinity", () => {
  const config = parseConfig({ containers: [{ id: "a", bundle: "/b" }] });
  const clock = new FakeClock();
  const exits = new FakeExits(clock);
  const runtime = new FakeRuntime(exits);
  for (const bad of [0, -1, 1.5, NaN]) {
    assert.throws(
      () => new Supervisor(config, { runtime, reaper: exits, maxParallelStarts: bad }),
      /Invalid maxParallelStarts/,
    );
  }
});

Deno.test("a stop during backoff cancels the restart", async () => {
  await using pod = await startPod([{ id: "crash", restart: { policy: "always" } }]);
  await until(() => pod.phase("crash") === "running", "running");
  pod.exits.exit(pod.runtime.pid("crash"), 1);
  await until(() => pod.phase("crash") === "backoff", "backoff");
  await pod.supervisor.stop("test");
  await pod.clock.advance(60_000);
  assert.equal(pod.runtime.calls.filter((c) => c.startsWith("create")).length, 1);
  assert.equal((await pod.result).status.containers.crash.state, "stopped");
});

Deno.test("a container that ignores its stop signal gets KILL after its grace", async () => {
  await using pod = await startPod(
    [{ id: "stubborn", stop: { signal: "TERM", grace: 500 } }],
    {},
    (runtime) => runtime.behaviour.set("stubborn", { stubborn: true }),
  );
  await until(() => pod.phase("stubborn") === "running", "running");
  const stopping = pod.supervisor.stop("test");
  await until(() => pod.phase("stubborn") === "stopping", "stopping");
  await pod.clock.advance(499);
  assert.ok(!pod.runtime.calls.includes("kill stubborn SIGKILL all"), "KILL before the grace");
  await pod.clock.advance(1);
  await stopping;
  assert.deepEqual(pod.runtime.calls.filter((c) => c.startsWith("kill")), [
    "kill stubborn SIGTERM",
    "kill stubborn SIGKILL all",
  ]);
  assert.equal((await pod.result).status.containers.stubborn.exits[0].signal, "SIGKILL");
});

Deno.test("stopContainer stops one container for good while the pod runs on", async () => {
  await using pod = await startPod([{ id: "a", restart: { policy: "always" } }, { id: "b" }]);
  await until(() => pod.phase("a") === "running" && pod.phase("b") === "running", "running");
  await pod.supervisor.stopContainer("a");
  assert.equal(pod.phase("a"), "stopped");
  assert.equal(pod.supervisor.status().pod.state, "running");
  await pod.clock.advance(60_000);
  assert.equal(pod.runtime.calls.filter((c) => c === "create a").length, 1);
  assert.ok(pod.trail().includes("container-stopped a"));
});

Deno.test("restartContainer stops a running container and starts it again at once", async () => {
  await using pod = await startPod([{ id: "a" }]);
  await until(() => pod.phase("a") === "running", "running");
  const first = pod.runtime.pid("a");
  await pod.supervisor.restartContainer("a");
  await until(() => pod.phase("a") === "running", "running again");
  assert.notEqual(pod.runtime.pid("a"), first);
  const status = pod.supervisor.status().containers.a;
  assert.equal(status.restartCount, 1);
  assert.deepEqual(pod.trail().slice(2), [
    "container-stopping a",
    "container-exited a",
    "container-created a",
    "container-started a",
  ]);
  await pod.supervisor.stop("test");
  await assert.rejects(pod.supervisor.restartContainer("a"), PodStoppingError);
});

Deno.test("signalContainer names the unknown and the not running", async () => {
  await using pod = await startPod([{ id: "crash", restart: { policy: "always" } }]);
  await until(() => pod.phase("crash") === "running", "running");
  await pod.supervisor.signalContainer("crash", "HUP");
  assert.ok(pod.runtime.calls.includes("kill crash SIGHUP"));
  pod.exits.exit(pod.runtime.pid("crash"), 1);
  await until(() => pod.phase("crash") === "backoff", "backoff");
  await assert.rejects(pod.supervisor.signalContainer("crash", "HUP"), PodContainerNotRunningError);
  await assert.rejects(pod.supervisor.signalContainer("nope", "HUP"), PodContainerNotFoundError);
});

Deno.test("a listener that throws disturbs neither the pod nor the other listeners", async () => {
  await using pod = await startPod([{ id: "job" }]);
  using _ = pod.supervisor.subscribe(() => {
    throw new Error("listener bug");
  });
  await until(() => pod.phase("job") === "running", "running");
  pod.exits.exit(pod.runtime.pid("job"), 0);
  assert.equal((await pod.result).exitCode, 0);
  assert.equal(pod.events.at(-1)?.type, "pod-ended");
});

Deno.test("endWhen any-ended stops the pod when one container ends", async () => {
  await using pod = await startPod([{ id: "job" }, { id: "svc" }], { endWhen: "any-ended" });
  await until(() => pod.phase("svc") === "running" && pod.phase("job") === "running", "running");
  pod.exits.exit(pod.runtime.pid("job"), 0);
  const { status } = await pod.result;
  assert.equal(status.pod.stopReason, 'container "job" ended');
  assert.equal(status.containers.svc.state, "stopped");
});

Deno.test("the transition table refuses what it does not list", async () => {
  assert.ok(!TRANSITIONS.stopped.includes("failed"));
  await using pod = await startPod([{ id: "a" }]);
  await until(() => pod.phase("a") === "running", "running");
  await pod.supervisor.stop("test");
  await settle();
  const unit = new ContainerUnit(
    parseConfig({ containers: [{ id: "x", bundle: "/b" }] }).containers[0],
    fakeUnitContext({ runtime: pod.runtime, reaper: pod.exits, clock: pod.clock }),
  );
  await unit.stop();
  assert.equal(unit.phase, "stopped");
  assert.throws(() => unit.dependencyFailed("db"), IllegalTransitionError);
});

/** A lone container unit on the fakes, in a run directory removed afterwards. */
async function withUnit(
  container: Record<string, unknown>,
  fn: (
    ctx: { unit: ContainerUnit; runtime: FakeRuntime; exits: FakeExits; clock: FakeClock },
  ) => Promise<void>,
  before: (runtime: FakeRuntime) => void = () => {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "weft-sm-test-" });
  try {
    const clock = new FakeClock();
    const exits = new FakeExits(clock);
    const runtime = new FakeRuntime(exits);
    before(runtime);
    const config = parseConfig({ containers: [{ bundle: "/b", ...container }] }).containers[0];
    const unit = new ContainerUnit(
      config,
      fakeUnitContext({ runtime, reaper: exits, clock, runDir: () => dir }),
    );
    await fn({ unit, runtime, exits, clock });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a unit started from backoff cancels its backoff timer: one run, not two", async () => {
  await withUnit(
    { id: "x", restart: { policy: "always", startLimit: 0 } },
    async ({ unit, runtime, exits, clock }) => {
      unit.start();
      await until(() => unit.phase === "running", "running");
      exits.exit(runtime.pid("x"), 1);
      await until(() => unit.phase === "backoff", "backoff");
      assert.equal(clock.pending, 1);
      unit.start();
      await until(() => unit.phase === "running", "running again");
      assert.equal(clock.pending, 0);
      await unit.stop();
      assert.equal(unit.phase, "stopped");
    },
  );
});

Deno.test("a restart asked during a container's stop starts it again once the stop is over", async () => {
  await using pod = await startPod(
    [{ id: "a", stop: { signal: "TERM", grace: 500 } }, { id: "b" }],
    {},
    (runtime) => runtime.behaviour.set("a", { stubborn: true }),
  );
  await until(() => pod.phase("a") === "running" && pod.phase("b") === "running", "running");
  const first = pod.runtime.pid("a");
  const stopped = pod.supervisor.stopContainer("a");
  await until(() => pod.phase("a") === "stopping", "stopping");
  const restarted = pod.supervisor.restartContainer("a");
  await pod.clock.advance(500);
  await Promise.all([stopped, restarted]);
  await until(() => pod.phase("a") === "running", "running again");
  assert.notEqual(pod.runtime.pid("a"), first);
  assert.equal(pod.supervisor.status().containers.a.restartCount, 1);
  assert.deepEqual(pod.trail().filter((t) => t.endsWith(" a")).slice(2), [
    "container-stopping a",
    "container-exited a",
    "container-created a",
    "container-started a",
  ]);
  assert.equal(pod.runtime.calls.filter((c) => c === "create a").length, 2);
});

Deno.test("a stop asked during a restart wins: the restart is refused and the container stays stopped", async () => {
  await using pod = await startPod(
    [{ id: "a", stop: { signal: "TERM", grace: 500 } }, { id: "b" }],
    {},
    (runtime) => runtime.behaviour.set("a", { stubborn: true }),
  );
  await until(() => pod.phase("a") === "running" && pod.phase("b") === "running", "running");
  const restarted = pod.supervisor.restartContainer("a");
  const refused = assert.rejects(restarted, ContainerRestartSupersededError);
  await until(() => pod.phase("a") === "stopping", "stopping");
  const stopped = pod.supervisor.stopContainer("a");
  await pod.clock.advance(500);
  await stopped;
  await refused;
  assert.equal(pod.phase("a"), "stopped");
  await pod.clock.advance(60_000);
  assert.equal(pod.runtime.calls.filter((c) => c === "create a").length, 1);
});

Deno.test("a pod stop during a restart refuses it with PodStoppingError and creates nothing more", async () => {
  await using pod = await startPod(
    [{ id: "a", stop: { signal: "TERM", grace: 500 } }, { id: "b", dependsOn: ["a"] }],
    {},
    (runtime) => runtime.behaviour.set("a", { stubborn: true }),
  );
  await until(() => pod.phase("a") === "running" && pod.phase("b") === "running", "running");
  const restarted = pod.supervisor.restartContainer("a");
  const refused = assert.rejects(restarted, PodStoppingError);
  await until(() => pod.phase("a") === "stopping", "stopping");
  // b stops first (reverse dependency order); a's restart must not create it meanwhile.
  const stopping = pod.supervisor.stop("test");
  await pod.clock.advance(500);
  await refused;
  await stopping;
  assert.equal(pod.phase("a"), "stopped");
  assert.equal(pod.runtime.calls.filter((c) => c === "create a").length, 1);
});

Deno.test("start is refused outside waiting and backoff: no second run races the first", async () => {
  await withUnit(
    { id: "x", stop: { signal: "TERM", grace: 500 } },
    async ({ unit, runtime, clock }) => {
      unit.start();
      await until(() => unit.phase === "running", "running");
      assert.throws(() => unit.start(), IllegalTransitionError);
      const stopped = unit.stop();
      await until(() => unit.phase === "stopping", "stopping");
      assert.throws(() => unit.start(), IllegalTransitionError);
      await clock.advance(500);
      await stopped;
      assert.throws(() => unit.start(), IllegalTransitionError);
      assert.equal(unit.phase, "stopped");
      assert.equal(runtime.calls.filter((c) => c === "create x").length, 1);
    },
    (runtime) => runtime.behaviour.set("x", { stubborn: true }),
  );
});

Deno.test("a container that exits during the pod's stop is not restarted, whatever its policy", async () => {
  await using pod = await startPod(
    [
      { id: "a", restart: { policy: "always", backoff: { initial: 100 } } },
      { id: "b", dependsOn: ["a"], stop: { signal: "TERM", grace: 5_000 } },
    ],
    {},
    (runtime) => runtime.behaviour.set("b", { stubborn: true }),
  );
  await until(() => pod.phase("a") === "running" && pod.phase("b") === "running", "running");
  // b stops first and holds the stop for its grace; a exits on its own meanwhile.
  const stopping = pod.supervisor.stop("test");
  await until(() => pod.phase("b") === "stopping", "b stopping");
  pod.exits.exit(pod.runtime.pid("a"), 1);
  await until(() => pod.phase("a") !== "running", "a ended");
  await pod.clock.advance(1_000);
  assert.equal(pod.runtime.calls.filter((c) => c === "create a").length, 1, "a was created again");
  assert.equal(pod.phase("a"), "stopped");
  assert.ok(!pod.trail().includes("container-restarting a"));
  await pod.clock.advance(4_000);
  await stopping;
  assert.equal((await pod.result).status.containers.a.exitCount, 1);
});

Deno.test("a flood of one forwarded signal costs at most two runtime calls per container", async () => {
  const gate = Promise.withResolvers<void>();
  await using pod = await startPod([{ id: "a" }, { id: "b" }], {}, (runtime) => {
    for (const id of ["a", "b"]) {
      runtime.behaviour.set(id, { stubborn: true, killGate: gate.promise });
    }
  });
  await until(() => pod.phase("a") === "running" && pod.phase("b") === "running", "both running");
  const floods = Array.from({ length: 100 }, () => pod.supervisor.forward("SIGPROF"));
  void pod.supervisor.forward("SIGUSR1");
  const kills = () => pod.runtime.calls.filter((call) => call.startsWith("kill "));
  await until(() => kills().length === 4, "one SIGPROF and one SIGUSR1 under way per container");
  gate.resolve();
  await Promise.all(floods);
  await settle();
  // The 99 SIGPROF that came while the first was under way make one more, per container.
  assert.deepEqual(kills().sort(), [
    "kill a SIGPROF",
    "kill a SIGPROF",
    "kill a SIGUSR1",
    "kill b SIGPROF",
    "kill b SIGPROF",
    "kill b SIGUSR1",
  ]);
  void pod.supervisor.forward("SIGPROF");
  await until(() => kills().length === 8, "a later signal is forwarded again");
});
