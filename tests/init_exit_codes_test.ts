// Acceptance 3 and 4: exits are attributed to their container even when they
// come within a millisecond of start, recorded with 128+signal semantics, and
// decide the pod's exit code as configured.
import { deepStrictEqual, ok as assert, strictEqual as assertEquals } from "node:assert/strict";
import { podTest, startInit, waitForStatus } from "./_init_harness.ts";

const never = { policy: "never" };

podTest(
  "a container that exits at once is attributed to it and its policy applied",
  async ({ pod, runtime, mode }) => {
    const quick = await pod.bundle("exit 7");
    const config = await pod.write(runtime, {
      containers: [{
        id: "wi-quick",
        bundle: quick,
        restart: {
          policy: "on-failure",
          startLimit: 3,
          backoff: { initial: 10, factor: 1, cap: 10, resetAfter: 60_000 },
        },
      }],
    });
    await using init = startInit(config, mode);
    const { code, stderr } = await init.exited;
    const status = (await pod.status())!;
    const quickStatus = status.containers["wi-quick"];
    assertEquals(code, 7, stderr);
    assertEquals(quickStatus.state, "failed");
    deepStrictEqual(
      quickStatus.exits.map((exit) => [exit.status, exit.code, exit.restartCount]),
      [
        [7, 7, 0],
        [7, 7, 1],
        [7, 7, 2],
      ],
    );
    assert(quickStatus.error?.startsWith("start limit reached: 3 unstable starts in a row"));
    assertEquals(status.pod.exitCode, 7);
    deepStrictEqual(await pod.rootEntries(), []);
  },
);

podTest(
  "exit codes and deaths by TERM and KILL are recorded and decide the pod's exit code",
  async ({ pod, runtime, mode }) => {
    const scripts: Record<string, string> = {
      "wi-c0": "exit 0",
      "wi-c1": "exit 1",
      "wi-c2": "exit 2",
      "wi-c127": "exit 127",
      "wi-c255": "exit 255",
      // Without a PID namespace the shell is not a namespace init, so a
      // signal without a handler kills it as it would any process.
      "wi-term": "kill -TERM $$; sleep 5",
      "wi-kill": "kill -KILL $$; sleep 5",
    };
    const containers = [];
    for (const [id, script] of Object.entries(scripts)) {
      containers.push({
        id,
        bundle: await pod.bundle(script, { pidNamespace: false }),
        restart: never,
      });
    }
    const config = await pod.write(runtime, {
      containers,
      pod: { exitCode: { from: "container", id: "wi-term" } },
    });
    await using init = startInit(config, mode);
    const { code, stderr } = await init.exited;
    const status = (await pod.status())!;
    const recorded = Object.fromEntries(
      Object.entries(status.containers).map((
        [id, c],
      ) => [id, [c.state, c.lastStatus, c.exits[0]?.code, c.exits[0]?.signal]]),
    );
    deepStrictEqual(recorded, {
      "wi-c0": ["exited", 0, 0, null],
      "wi-c1": ["exited", 1, 1, null],
      "wi-c2": ["exited", 2, 2, null],
      "wi-c127": ["exited", 127, 127, null],
      "wi-c255": ["exited", 255, 255, null],
      "wi-term": ["exited", 143, null, "SIGTERM"],
      "wi-kill": ["exited", 137, null, "SIGKILL"],
    }, stderr);
    assertEquals(code, 143);
    assertEquals(status.pod.exitCode, 143);
    deepStrictEqual(await pod.rootEntries(), []);
  },
);

podTest(
  "the first container to fail for good decides the pod's exit code by default",
  async ({ pod, runtime }) => {
    const config = await pod.write(runtime, {
      containers: [
        { id: "wi-ok", bundle: await pod.bundle("exit 0"), restart: never },
        { id: "wi-bad", bundle: await pod.bundle("sleep 0.3; exit 2"), restart: never },
        { id: "wi-late", bundle: await pod.bundle("sleep 1; exit 5"), restart: never },
      ],
    });
    await using init = startInit(config, "child");
    const { code } = await init.exited;
    assertEquals(code, 2);
    const status = await waitForStatus(pod, (s) => s.pod.state === "ended");
    assertEquals(status.containers["wi-late"].lastStatus, 5);
  },
  { modes: ["child"] },
);
