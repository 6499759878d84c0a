import { getLogger } from "@logtape/logtape";
import {
  GLIBC_SIGNALS,
  handlerOf,
  KERNEL_SIGACTION_SIZE,
  readKernelSigaction,
  SIG_IGN,
  writeKernelSigaction,
} from "./kernel_sigaction.ts";

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
 *
 * A process that was itself spawned that way (by `deno task`, or any Deno
 * or posix_spawn parent) starts with 32 and 33 ignored, which the fork would
 * pass on: the first call sets them back to their default when they are
 * ignored (needs `--allow-ffi`), as they are in a process a shell started.
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
  try {
    unignoreGlibcSignals();
  } catch (error) {
    logger.warn(
      "Containers may start with signals 32 and 33 ignored, as this process did: {error}",
      { error },
    );
  }
  return cached;
}

/** Sets signals 32 and 33 to their default when this process ignores them. */
function unignoreGlibcSignals(): void {
  for (const signal of GLIBC_SIGNALS) {
    if (handlerOf(readKernelSigaction(signal)) !== SIG_IGN) continue;
    writeKernelSigaction(signal, new Uint8Array(KERNEL_SIGACTION_SIZE)); // SIG_DFL, nothing blocked
  }
}
