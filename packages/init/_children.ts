// Who are this process's children, and which of them belong to Deno.
import { ownedChildPids } from "@weft/runtime";

/**
 * The pids this process holds a pidfd for. Deno (tokio) opens one for every
 * `Deno.Command` child at spawn and keeps it until it has reaped the child,
 * so this finds Deno's children even when nobody called trackChildProcess.
 * A pidfd of a reaped process shows `Pid: -1`, so a recycled pid never
 * matches. Empty when /proc is not mounted.
 */
function pidfdPids(): Set<number> {
  const pids = new Set<number>();
  let fds: Iterable<Deno.DirEntry>;
  try {
    fds = Deno.readDirSync("/proc/self/fd");
  } catch {
    return pids;
  }
  for (const fd of fds) {
    try {
      if (Deno.readLinkSync(`/proc/self/fd/${fd.name}`) !== "anon_inode:[pidfd]") continue;
      const match = /^Pid:\s*(-?\d+)/m.exec(Deno.readTextFileSync(`/proc/self/fdinfo/${fd.name}`));
      if (match !== null && Number(match[1]) > 0) pids.add(Number(match[1]));
    } catch {
      continue; // closed meanwhile
    }
  }
  return pids;
}

/**
 * Answers "does Deno own this child?" for one reaping pass: registered
 * children (trackChildProcess) first, then pidfds, read once per pass and
 * only if needed. A pass runs in one synchronous turn of the JS thread, so
 * no Deno.Command can be spawned in the middle of it.
 */
export class OwnershipCheck {
  #pidfds: Set<number> | undefined;
  readonly #usePidfds: boolean;

  constructor(usePidfds: boolean) {
    this.#usePidfds = usePidfds;
  }

  owns(pid: number): boolean {
    if (ownedChildPids().has(pid)) return true;
    if (!this.#usePidfds) return false;
    this.#pidfds ??= pidfdPids();
    return this.#pidfds.has(pid);
  }
}
