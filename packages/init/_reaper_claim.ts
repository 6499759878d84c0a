import { readProcStat } from "@weft/runtime";
import { ReaperStateError } from "./reaper_options.ts";

// One reaper per process. Two would take each other's exits, and a process
// can run several isolates (workers; `deno test --parallel` runs every test
// module of a run in one process) that share no JS memory. The environment is
// process-wide, so it holds the marker: the identity of the process whose
// reaper runs. A child inherits the variable, but its identity differs: the
// pid alone could match (a nested PID 1), so the start time is part of it.
const MARKER = "WEFT_INIT_REAPER";

function processIdentity(): string {
  const stat = readProcStat("self");
  // No /proc yet: a machine's early init, with no parent.
  return stat === undefined ? String(Deno.pid) : `${Deno.pid}@${stat.startTime}`;
}

export function claimProcess(): string {
  const identity = processIdentity();
  if (Deno.env.get(MARKER) === identity) {
    throw new ReaperStateError(
      "Cannot start a reaper: another reaper of this process is running (dispose it first)",
    );
  }
  Deno.env.set(MARKER, identity);
  return identity;
}

export function releaseProcess(identity: string): void {
  if (Deno.env.get(MARKER) === identity) Deno.env.delete(MARKER);
}
