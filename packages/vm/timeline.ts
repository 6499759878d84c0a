/**
 * A boot's timeline: when each phase of a weft VM's boot showed on the
 * serial console, in milliseconds since QEMU started. Where the seconds go
 * (kernel and root, Deno starting and compiling the init, runtime choice,
 * the first create and start) is read off the differences.
 *
 * @module
 */
import type { SerialLine } from "./boot.ts";

/**
 * One phase of the boot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BootPhase } from "@weft/vm";
 *
 * const phase: BootPhase = { name: "first container running", ms: 5200 };
 * assert.equal(phase.ms, 5200);
 * ```
 */
export interface BootPhase {
  /** What happened. */
  name: string;
  /** When its first console line arrived, in ms since QEMU started. */
  ms: number;
}

/** The phases, each by the first console line that shows it. */
const PHASES: [string, RegExp][] = [
  ["kernel done (early init started)", /^weft-vm early init: started/],
  ["early init switched to the disk root", /^weft-vm early init: switching/],
  ["init's first log line (Deno started)", /^\d{4}-\d\d-\d\dT\S+ +[A-Z]+ +weft\./],
  ["runtime chosen (supervising)", /weft-init supervising as/],
  ["pod starting", /Starting pod of \d+ containers/],
  ["first container running", /Container \S+ is running with pid/],
  ["init powering off", /weft-init finished with exit code/],
];

/**
 * The phases found in `lines`, in boot order, then `QEMU exited` at `endMs`.
 *
 * @param lines The serial console of a boot.
 * @param endMs When QEMU exited.
 * @returns The phases that showed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootTimeline } from "@weft/vm";
 *
 * const phases = bootTimeline([
 *   { ms: 4000, text: "2026-01-01T00:00:00.000Z INFO    weft.init.mounts: Mounted proc on /proc" },
 *   { ms: 6000, text: "... weft.init.supervisor: Container web is running with pid 42" },
 * ], 9000);
 * assert.deepEqual(phases.map((p) => p.ms), [4000, 6000, 9000]);
 * ```
 */
export function bootTimeline(lines: readonly SerialLine[], endMs: number): BootPhase[] {
  const phases: BootPhase[] = [];
  for (const [name, pattern] of PHASES) {
    const line = lines.find((l) => pattern.test(l.text));
    if (line !== undefined) phases.push({ name, ms: line.ms });
  }
  phases.push({ name: "QEMU exited", ms: endMs });
  return phases;
}

/**
 * The timeline as a table: each phase, its time, and the time since the
 * previous one.
 *
 * @param phases From {@linkcode bootTimeline}.
 * @returns Lines of text, without a trailing newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTimeline } from "@weft/vm";
 *
 * const text = formatTimeline([{ name: "a", ms: 1000 }, { name: "b", ms: 1500 }]);
 * assert.match(text, /b +1500 ms +\+500/);
 * ```
 */
export function formatTimeline(phases: readonly BootPhase[]): string {
  const width = Math.max(...phases.map((p) => p.name.length));
  let previous = 0;
  return phases.map((phase) => {
    const line = `  ${phase.name.padEnd(width)} ${String(phase.ms).padStart(6)} ms  +${
      phase.ms - previous
    }`;
    previous = phase.ms;
    return line;
  }).join("\n");
}
