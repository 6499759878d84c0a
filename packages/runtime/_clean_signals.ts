import { getLogger } from "@logtape/logtape";

const logger = getLogger(["weft", "runtime", "cli"]);

let cached: { gid?: number } | undefined;

/**
 * Spawn options that make a child start with every signal at its default
 * disposition and nothing blocked, as from a clean shell, for the runtime
 * calls whose process becomes a container's (`create`, `run`, `exec`).
 *
 * Why: Deno spawns through glibc's `posix_spawn`, whose child sets the two
 * signals glibc keeps for itself (32 and 33) to SIG_IGN before the exec, and
 * an ignored signal stays ignored across every later exec: the container's
 * process would start with `SigIgn: 0x180000000` (crun) or `0x80000000`
 * (runc). No wrapper binary can undo it, because glibc's `sigaction` refuses
 * those two signals. Giving a `gid` makes Rust's standard library take its
 * fork-and-exec path instead, where the exec resets every handled signal and
 * nothing is ignored but what this process ignores itself (only SIGPIPE,
 * which that path resets). The gid is our own, so nothing else changes; it
 * costs about 4 ms of fork per call (measured), paid only on those calls.
 * Reading our gid needs `--allow-sys=gid`; without it the fast path stays.
 */
export function cleanSignalSpawnOptions(): { gid?: number } {
  if (cached !== undefined) return cached;
  try {
    const gid = Deno.gid();
    cached = gid === null ? {} : { gid };
  } catch (error) {
    logger.warn(
      "Containers will start with signals 32 and 33 ignored: reading the gid was refused ({error}); grant --allow-sys=gid",
      { error },
    );
    cached = {};
  }
  return cached;
}
