// Acceptance 7 and 8: dependency order at start and reverse order at stop;
// a bundle that cannot be created fails alone, with the runtime's own message.
import {
  deepStrictEqual,
  match,
  ok as assert,
  strictEqual as assertEquals,
} from "node:assert/strict";
import { podTest, startInit, waitForStatus } from "./_init_harness.ts";

// Logs its stop so that the order of stops can be read from the console.
const service = (name: string) =>
  `trap 'echo ${name} stopping; sleep 0.2; echo ${name} stopped; exit 0' TERM; echo ${name} up; while :; do sleep 0.05; done`;

/** Index of the first line of `text` that contains `needle` (fails when none does). */
function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((line) => line.includes(needle));
  assert(index >= 0, `no line contains ${JSON.stringify(needle)} in:\n${text}`);
  return index;
}

// weft-init creates and starts with the runtime's `run --detach`, one call.
const CREATE_ERRORS: Record<string, RegExp> = {
  runc:
    /^Cannot run container "wi-broken": runc exited with code 1: runc run failed: invalid rootfs: stat \/.*\/no-such-rootfs: no such file or directory$/,
  crun:
    /^Cannot run container "wi-broken": crun exited with code 1: make `no-such-rootfs` private: No such file or directory; last error: .*|^Cannot run container "wi-broken": crun exited with code 1: make `no-such-rootfs` private: No such file or directory$/,
};

podTest(
  "containers start after their dependencies are running and stop in reverse order",
  async ({ pod, runtime, mode }) => {
    const config = await pod.write(runtime, {
      containers: [
        // Listed in reverse on purpose: the order comes from dependsOn, not the file.
        { id: "wi-app", bundle: await pod.bundle(service("app")), dependsOn: ["wi-cache"] },
        { id: "wi-cache", bundle: await pod.bundle(service("cache")), dependsOn: ["wi-db"] },
        { id: "wi-db", bundle: await pod.bundle(service("db")) },
      ],
    });
    await using init = startInit(config, mode);
    await waitForStatus(
      pod,
      (s) => Object.values(s.containers).every((c) => c.state === "running"),
    );
    const log = init.stderr;
    assert(
      lineOf(log, "Container wi-db is running") <
        lineOf(log, "Dependencies of wi-cache are running"),
    );
    assert(
      lineOf(log, "Container wi-cache is running") <
        lineOf(log, "Dependencies of wi-app are running"),
    );
    // "running" means exec'd, not that each shell has set its trap yet.
    await init.waitForOutput((stdout) =>
      ["app", "cache", "db"].every((name) => stdout.includes(`[wi-${name}] ${name} up`))
    );
    await init.kill("SIGTERM");
    const { code, stdout, stderr } = await init.exited;
    assertEquals(code, 0, stderr);
    // Each container is told to stop only once its dependents have stopped.
    assert(
      lineOf(stdout, "[wi-app] app stopped") < lineOf(stdout, "[wi-cache] cache stopping"),
      stdout,
    );
    assert(
      lineOf(stdout, "[wi-cache] cache stopped") < lineOf(stdout, "[wi-db] db stopping"),
      stdout,
    );
    const status = (await pod.status())!;
    deepStrictEqual(Object.values(status.containers).map((c) => c.state), [
      "stopped",
      "stopped",
      "stopped",
    ]);
    deepStrictEqual(await pod.rootEntries(), []);
  },
);

podTest(
  "a bundle that fails to create is reported failed with the runtime's own message while the others run",
  async ({ pod, runtime, mode }) => {
    const broken = await pod.bundle("true", {
      configure: (config) => (config.root as { path: string }).path = "no-such-rootfs",
    });
    const config = await pod.write(runtime, {
      containers: [
        {
          id: "wi-broken",
          bundle: broken,
          restart: { policy: "on-failure", startLimit: 2, backoff: { initial: 10 } },
        },
        { id: "wi-fine", bundle: await pod.bundle(service("fine")) },
        {
          id: "wi-needs-broken",
          bundle: await pod.bundle(service("x")),
          dependsOn: ["wi-broken"],
        },
      ],
    });
    await using init = startInit(config, mode);
    const status = await waitForStatus(
      pod,
      (s) =>
        s.containers["wi-broken"].state === "failed" &&
        s.containers["wi-needs-broken"].state === "failed" &&
        s.containers["wi-fine"].state === "running",
    );
    const error = status.containers["wi-broken"].error ?? "";
    match(error, /^start limit reached: 2 unstable starts in a row; last error: /);
    match(
      error.replace(/^start limit reached: 2 unstable starts in a row; last error: /, ""),
      CREATE_ERRORS[runtime],
    );
    assertEquals(status.containers["wi-broken"].exitCount, 0);
    assertEquals(status.containers["wi-needs-broken"].state, "failed");
    assertEquals(
      status.containers["wi-needs-broken"].error,
      'Cannot start container "wi-needs-broken": its dependency "wi-broken" never ran',
    );
    assert(
      init.stderr.includes(
        `Cannot create container wi-broken: Cannot run container "wi-broken": ${runtime} exited with code 1`,
      ),
    );
    await init.kill("SIGTERM");
    const { code } = await init.exited;
    assertEquals(code, 125, "a container that never ran counts as status 125");
    assertEquals((await pod.status())!.containers["wi-fine"].state, "stopped");
    deepStrictEqual(await pod.rootEntries(), []);
  },
);
