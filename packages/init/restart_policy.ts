import type { RestartConfig } from "./config.ts";

/**
 * What happens after a container's run ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decideRestart, parseConfig, type RestartDecision } from "@weft/init";
 *
 * const { restart } = parseConfig({ containers: [{ id: "web", bundle: "/b" }] }).containers[0];
 * const decision: RestartDecision = decideRestart(restart, { status: 1, ranFor: 50, unstableStarts: 0 });
 * assert.equal(decision.action, "restart");
 * ```
 */
export type RestartDecision =
  | { action: "restart"; delay: number; unstableStarts: number }
  | { action: "end"; reason: "policy" | "exit-code" }
  | { action: "fail"; reason: "start-limit" | "start-failed"; unstableStarts: number };

/**
 * The facts about the run that just ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decideRestart, parseConfig, type RunOutcome } from "@weft/init";
 *
 * const { restart } = parseConfig({ containers: [{ id: "web", bundle: "/b" }] }).containers[0];
 * const cleanExit: RunOutcome = { status: 0, ranFor: 5000, unstableStarts: 0 };
 * assert.ok(decideRestart(restart, cleanExit).action === "end");
 * ```
 */
export interface RunOutcome {
  /**
   * The exit status (0-255, 128+n after death by signal n); `undefined` when
   * the container could not be created or started.
   */
  status?: number;
  /** How long it ran, in milliseconds (0 when it never started). */
  ranFor: number;
  /** Unstable starts in a row before this one. */
  unstableStarts: number;
}

/**
 * Decides whether a container whose run just ended is restarted, after which
 * delay, or marked failed. A run at least `backoff.resetAfter` long is stable
 * and forgives earlier crashes; every shorter run (or failed start) counts
 * towards `startLimit`; the delay is `initial * factor^(n-1)` for the n-th
 * unstable start in a row, at most `cap`. A failed start is restarted unless
 * the policy is `never`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decideRestart, parseConfig } from "@weft/init";
 *
 * const { restart } = parseConfig({
 *   containers: [{ id: "a", bundle: "/b", restart: { policy: "always" } }],
 * }).containers[0];
 * const decision = decideRestart(restart, { status: 1, ranFor: 5, unstableStarts: 2 });
 * assert.ok(decision.action === "restart" && decision.delay === 400);
 * ```
 */
export function decideRestart(policy: RestartConfig, outcome: RunOutcome): RestartDecision {
  const { status } = outcome;
  if (status !== undefined) {
    if (policy.neverRestartExitCodes.includes(status)) {
      return { action: "end", reason: "exit-code" };
    }
    const forced = policy.alwaysRestartExitCodes.includes(status);
    if (!forced) {
      if (policy.policy === "never") return { action: "end", reason: "policy" };
      if (policy.policy === "on-failure" && status === 0) {
        return { action: "end", reason: "policy" };
      }
    }
  } else if (policy.policy === "never") {
    return { action: "fail", reason: "start-failed", unstableStarts: outcome.unstableStarts + 1 };
  }
  const stable = outcome.ranFor >= policy.backoff.resetAfter;
  const unstableStarts = stable ? 0 : outcome.unstableStarts + 1;
  if (policy.startLimit > 0 && unstableStarts >= policy.startLimit) {
    return { action: "fail", reason: "start-limit", unstableStarts };
  }
  return {
    action: "restart",
    delay: backoffDelay(policy, Math.max(1, unstableStarts)),
    unstableStarts,
  };
}

/**
 * The delay before the `n`-th restart in a row (1-based), in milliseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelay, parseConfig } from "@weft/init";
 *
 * const { restart } = parseConfig({ containers: [{ id: "a", bundle: "/b" }] }).containers[0];
 * assert.ok(backoffDelay(restart, 1) === 100);
 * assert.ok(backoffDelay(restart, 20) === 10_000);
 * ```
 */
export function backoffDelay(policy: RestartConfig, n: number): number {
  const { initial, factor, cap } = policy.backoff;
  return Math.min(cap, Math.round(initial * factor ** Math.max(0, n - 1)));
}
