import { getLogger } from "@logtape/logtape";

const logger = getLogger(["weft", "runtime", "children"]);

// The pids of runtime processes this process spawned with Deno.Command and
// whose status Deno has not collected yet. A PID-1 reaper must never reap
// them: Deno waits for its children by pid, and a foreign waitpid() makes
// that wait fail with ECHILD. Kept on globalThis so that every copy of this
// module (and a reaper in another package) sees one set.
const SLOT = Symbol.for("@weft/runtime/owned-child-pids");
const LISTENERS = Symbol.for("@weft/runtime/owned-child-listeners");

function owned(): Set<number> {
  const global = globalThis as unknown as Record<symbol, Set<number> | undefined>;
  return global[SLOT] ??= new Set();
}

function listeners(): Set<(pid: number) => void> {
  const global = globalThis as unknown as Record<symbol, Set<(pid: number) => void> | undefined>;
  return global[LISTENERS] ??= new Set();
}

/**
 * Marks `child` as owned by Deno until its status is collected, so that a
 * zombie reaper leaves it alone. Call it right after `spawn()`, in the same
 * synchronous turn. {@linkcode OciCli} does this for every runtime call; a
 * plugin that spawns processes itself must do it too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownedChildPids, trackChildProcess } from "@weft/runtime";
 *
 * const child = new Deno.Command("true").spawn();
 * trackChildProcess(child);
 * assert.ok(ownedChildPids().has(child.pid));
 * await child.status;
 * ```
 */
export function trackChildProcess(child: Deno.ChildProcess): void {
  const pids = owned();
  pids.add(child.pid);
  child.status.finally(() => {
    pids.delete(child.pid);
    for (const listener of listeners()) {
      // One listener's fault must not keep the others (a reaper waiting for this pid) uncalled.
      try {
        listener(child.pid);
      } catch (error) {
        logger.error("A collected-child listener threw for {pid}: {error}", {
          pid: child.pid,
          error,
        });
      }
    }
  }).catch(() => {});
}

/**
 * Calls `listener` with the pid of each child registered with
 * {@linkcode trackChildProcess} once Deno has collected its status (it is
 * then no longer in {@linkcode ownedChildPids}). A reaper that found such a
 * child's zombie in its way waits for this instead of scanning /proc.
 *
 * @param listener Receives the pid; keep it quick. If it throws, the error
 * is logged (category `weft.runtime.children`) and the other listeners are still called.
 * @returns A function that removes the listener.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onOwnedChildCollected, trackChildProcess } from "@weft/runtime";
 *
 * const collected: number[] = [];
 * const stop = onOwnedChildCollected((pid) => collected.push(pid));
 * const child = new Deno.Command("true").spawn();
 * trackChildProcess(child);
 * await child.status;
 * stop();
 * assert.ok(collected.includes(child.pid));
 * ```
 */
export function onOwnedChildCollected(listener: (pid: number) => void): () => void {
  const set = listeners();
  set.add(listener);
  return () => void set.delete(listener);
}

/**
 * The pids of live `Deno.Command` children registered with
 * {@linkcode trackChildProcess}: a reaper must not reap them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ownedChildPids } from "@weft/runtime";
 *
 * assert.ok(ownedChildPids() instanceof Set);
 * ```
 */
export function ownedChildPids(): ReadonlySet<number> {
  return owned();
}
