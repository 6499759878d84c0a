// Acceptance 5 and 6: restart policies, backoff growth up to its cap, the
// start limit, and exit codes that never restart.
import { deepStrictEqual, ok as assert, strictEqual as assertEquals } from "node:assert/strict";
import { podTest, startInit, waitForStatus } from "./_init_harness.ts";

const SERVICE = "trap 'exit 0' TERM; while :; do sleep 0.05; done";

podTest(
  "an always-failing container backs off by its factor up to the cap, then fails at the start limit while another keeps running",
  async ({ pod, runtime, mode }) => {
    const config = await pod.write(runtime, {
      containers: [
        {
          id: "wi-crash",
          bundle: await pod.bundle("exit 1"),
          restart: {
            policy: "always",
            startLimit: 6,
            backoff: { initial: 50, factor: 2, cap: 200, resetAfter: 10_000 },
          },
        },
        { id: "wi-steady", bundle: await pod.bundle(SERVICE) },
      ],
    });
    await using init = startInit(config, mode);
    const failed = await waitForStatus(
      pod,
      (s) => s.containers["wi-crash"].state === "failed",
      30_000,
    );
    assertEquals(failed.containers["wi-steady"].state, "running");
    assertEquals(failed.containers["wi-steady"].restartCount, 0);
    const crash = failed.containers["wi-crash"];
    assertEquals(crash.exitCount, 6);
    assertEquals(crash.restartCount, 5);
    assert(
      crash.error?.startsWith("start limit reached: 6 unstable starts in a row"),
      crash.error ?? "",
    );
    // The delays the supervisor chose, in order, from its structured log.
    const delays = [...init.stderr.matchAll(/Restarting container wi-crash in ([0-9]+) ms/g)]
      .map((m) => Number(m[1]));
    deepStrictEqual(delays, [50, 100, 200, 200, 200]);
    // And the gaps between one exit and the next start really were at least that long.
    const exits = crash.exits.map((exit) => Date.parse(exit.at));
    for (let i = 1; i < exits.length; i++) {
      assert(
        exits[i] - exits[i - 1] >= delays[i - 1],
        `gap ${i}: ${exits[i] - exits[i - 1]} ms`,
      );
    }
    assertEquals(failed.pod.state, "running");
    await init.kill("SIGTERM");
    const { code } = await init.exited;
    assertEquals(code, 1, "the crash loop is the first failure");
    deepStrictEqual(await pod.rootEntries(), []);
  },
);

podTest(
  "on-failure restarts exit 1 but neither exit 0 nor an excluded exit code",
  async ({ pod, runtime, mode }) => {
    const fast = { initial: 10, factor: 1, cap: 10, resetAfter: 60_000 };
    const config = await pod.write(runtime, {
      containers: [
        {
          id: "wi-zero",
          bundle: await pod.bundle("exit 0"),
          restart: { policy: "on-failure", backoff: fast },
        },
        {
          id: "wi-one",
          bundle: await pod.bundle("exit 1"),
          restart: { policy: "on-failure", backoff: fast, startLimit: 3 },
        },
        {
          id: "wi-three",
          bundle: await pod.bundle("exit 3"),
          restart: { policy: "on-failure", backoff: fast, neverRestartExitCodes: [3] },
        },
        {
          id: "wi-forced",
          bundle: await pod.bundle("exit 4"),
          restart: {
            policy: "never",
            backoff: fast,
            alwaysRestartExitCodes: [4],
            startLimit: 2,
          },
        },
      ],
    });
    await using init = startInit(config, mode);
    const { stderr } = await init.exited;
    const status = (await pod.status())!;
    const summary = Object.fromEntries(
      Object.entries(status.containers).map((
        [id, c],
      ) => [id, [c.state, c.exitCount, c.restartCount]]),
    );
    deepStrictEqual(summary, {
      "wi-zero": ["exited", 1, 0],
      "wi-one": ["failed", 3, 2],
      "wi-three": ["exited", 1, 0],
      "wi-forced": ["failed", 2, 1],
    }, stderr);
    assert(
      stderr.includes("Container wi-three ended with status 3: not restarted (exit-code)"),
    );
    assert(stderr.includes("Container wi-zero ended with status 0: not restarted (policy)"));
  },
);
