import { deepStrictEqual } from "node:assert/strict";
import { parseConfig, type RestartConfig } from "./config.ts";
import { decideRestart } from "./restart_policy.ts";

function policy(restart: Record<string, unknown>): RestartConfig {
  return parseConfig({ containers: [{ id: "a", bundle: "/b", restart }] }).containers[0].restart;
}

Deno.test("always restarts with delays growing by the factor up to the cap, then fails at the start limit", () => {
  const always = policy({
    policy: "always",
    startLimit: 6,
    backoff: { initial: 50, factor: 3, cap: 1000 },
  });
  const delays: number[] = [];
  let unstableStarts = 0;
  for (;;) {
    const decision = decideRestart(always, { status: 0, ranFor: 10, unstableStarts });
    if (decision.action !== "restart") {
      deepStrictEqual(decision, { action: "fail", reason: "start-limit", unstableStarts: 6 });
      break;
    }
    delays.push(decision.delay);
    unstableStarts = decision.unstableStarts;
  }
  deepStrictEqual(delays, [50, 150, 450, 1000, 1000]);
});

Deno.test("a run longer than resetAfter starts the backoff over", () => {
  const always = policy({ policy: "always", backoff: { initial: 100, resetAfter: 1000 } });
  deepStrictEqual(decideRestart(always, { status: 1, ranFor: 1000, unstableStarts: 7 }), {
    action: "restart",
    delay: 100,
    unstableStarts: 0,
  });
});

Deno.test("on-failure, never, and the exit code lists decide whether a status restarts", () => {
  const onFailure = policy({
    policy: "on-failure",
    neverRestartExitCodes: [3],
    alwaysRestartExitCodes: [0],
  });
  const never = policy({
    policy: "never",
    alwaysRestartExitCodes: [4],
    neverRestartExitCodes: [143],
  });
  const action = (p: RestartConfig, status: number | undefined): string =>
    decideRestart(p, { status, ranFor: 0, unstableStarts: 0 }).action;
  deepStrictEqual(
    [action(onFailure, 0), action(onFailure, 1), action(onFailure, 3), action(onFailure, 137)],
    ["restart", "restart", "end", "restart"],
  );
  deepStrictEqual([
    action(never, 0),
    action(never, 4),
    action(never, 143),
    action(never, undefined),
  ], [
    "end",
    "restart",
    "end",
    "fail",
  ]);
  deepStrictEqual(action(policy({ policy: "on-failure" }), undefined), "restart");
});

Deno.test("a start limit of 0 never marks a container failed", () => {
  const unlimited = policy({ policy: "always", startLimit: 0 });
  deepStrictEqual(
    decideRestart(unlimited, { status: 1, ranFor: 0, unstableStarts: 10_000 }).action,
    "restart",
  );
});
