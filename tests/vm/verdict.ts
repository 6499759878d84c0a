/**
 * Judges a boot. QEMU's `isa-debug-exit` device turns a byte B that the
 * guest writes to port 0xf4 into QEMU's exit status (B << 1) | 1, so the
 * init's pod exit code reaches the host even though the VM cannot return
 * one. A boot passes only on the expected code, every expected line on the
 * serial console, and no forbidden line (a kernel panic: with
 * `-no-reboot panic=-1` QEMU exits 0 then, which alone looks clean).
 */
import type { BootResult } from "./boot.ts";

/** What a good boot looks like. */
export interface Expectation {
  /** The pod exit code the init must report through isa-debug-exit (0..127). */
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
  /** The pod exit code the guest reported, if it reported one. */
  reportedExitCode?: number;
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

/** Decodes QEMU's exit status into the byte the guest wrote, if it wrote one. */
export function decodeExitStatus(code: number): number | undefined {
  // An odd status is (B << 1) | 1 truncated to 8 bits, so B is known modulo 128.
  return code % 2 === 1 ? code >> 1 : undefined;
}

/** Checks a boot against an expectation and explains every failure. */
export function judgeBoot(boot: BootResult, expectation: Expectation): Verdict {
  const problems: string[] = [];
  const reported = boot.timedOut ? undefined : decodeExitStatus(boot.code);
  if (boot.timedOut) {
    problems.push("QEMU did not exit before the timeout: the init never powered the VM off");
  } else if (boot.code === 0) {
    problems.push("the VM stopped without writing its pod exit code to isa-debug-exit");
  } else if (reported === undefined) {
    problems.push(`QEMU failed with exit status ${boot.code}: ${boot.stderr.trim()}`);
  } else if (reported !== expectation.exitCode % 128) {
    problems.push(
      `the init reported pod exit code ${reported} through isa-debug-exit ` +
        `(QEMU exit status ${boot.code}), expected ${expectation.exitCode}`,
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
    reportedExitCode: reported,
    problems,
    message: pass ? "VM verdict: PASS" : `VM verdict: FAIL: ${problems.join("; ")}`,
  };
}
