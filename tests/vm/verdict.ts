/**
 * Judges a boot of @weft/vm. A boot passes only on the expected pod exit
 * code (which weft-vm reads from isa-debug-exit and the init's last log
 * line), every expected serial line, and no forbidden line (a kernel panic:
 * with `-no-reboot panic=-1` QEMU exits 0 then, which alone looks clean).
 */
import type { BootResult } from "@weft/vm";

/** What a good boot looks like. */
export interface Expectation {
  /** The pod exit code the init must report. */
  exitCode: number;
  /** Lines (substring or pattern) that must appear on the serial console, in any order. */
  lines: (string | RegExp)[];
  /** Lines that must not appear. @default {["Kernel panic"]} */
  forbidden?: (string | RegExp)[];
}

/** The outcome of {@linkcode judgeBoot}. */
export interface Verdict {
  /** Whether every check held. */
  pass: boolean;
  /** Each failed check, as a sentence. */
  problems: string[];
  /** One line: `VM verdict: PASS` or `VM verdict: FAIL: <problems>`. */
  message: string;
}

function matches(text: string, want: string | RegExp): boolean {
  return typeof want === "string" ? text.includes(want) : want.test(text);
}

function show(want: string | RegExp): string {
  return typeof want === "string" ? JSON.stringify(want) : String(want);
}

/** Checks a boot against an expectation and explains every failure. */
export function judgeBoot(boot: BootResult, expectation: Expectation): Verdict {
  const problems: string[] = [];
  if (boot.exitCode === undefined) {
    problems.push(`no pod exit code: ${boot.problem}`);
  } else if (boot.exitCode !== expectation.exitCode) {
    problems.push(
      `the init reported pod exit code ${boot.exitCode}, expected ${expectation.exitCode}`,
    );
  }
  for (const want of expectation.lines) {
    if (!boot.lines.some((line) => matches(line.text, want))) {
      problems.push(`the serial console lacks the line ${show(want)}`);
    }
  }
  for (const bad of expectation.forbidden ?? ["Kernel panic"]) {
    const hit = boot.lines.find((line) => matches(line.text, bad));
    if (hit !== undefined) problems.push(`the serial console shows ${JSON.stringify(hit.text)}`);
  }
  const pass = problems.length === 0;
  return {
    pass,
    problems,
    message: pass ? "VM verdict: PASS" : `VM verdict: FAIL: ${problems.join("; ")}`,
  };
}
