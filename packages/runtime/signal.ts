import { InvalidArgumentError } from "./errors.ts";

/**
 * A signal in canonical form: its Linux number and its name with the `SIG` prefix.
 *
 * @example
 * ```ts no-assert
 * import type { Signal } from "@weft/runtime";
 *
 * const term: Signal = { number: 15, name: "SIGTERM" };
 * ```
 */
export interface Signal {
  /** The Linux signal number (1-31, or 34-64 for real-time signals). */
  readonly number: number;
  /** The canonical name, for example `"SIGTERM"` or `"SIGRTMIN+3"`. */
  readonly name: string;
}

/** Linux x86-64/arm64 standard signals, by number. */
const STANDARD: readonly string[] = [
  "",
  "HUP",
  "INT",
  "QUIT",
  "ILL",
  "TRAP",
  "ABRT",
  "BUS",
  "FPE",
  "KILL",
  "USR1",
  "SEGV",
  "USR2",
  "PIPE",
  "ALRM",
  "TERM",
  "STKFLT",
  "CHLD",
  "CONT",
  "STOP",
  "TSTP",
  "TTIN",
  "TTOU",
  "URG",
  "XCPU",
  "XFSZ",
  "VTALRM",
  "PROF",
  "WINCH",
  "IO",
  "PWR",
  "SYS",
];
const ALIASES: Readonly<Record<string, number>> = { IOT: 6, POLL: 29, CLD: 17 };
/**
 * glibc reserves 32 and 33, so the first real-time signal users see is 34.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGRTMIN } from "@weft/runtime";
 *
 * assert.equal(SIGRTMIN, 34);
 * ```
 */
export const SIGRTMIN = 34;
/**
 * The last real-time signal on Linux.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SIGRTMAX } from "@weft/runtime";
 *
 * assert.equal(SIGRTMAX, 64);
 * ```
 */
export const SIGRTMAX = 64;

function rtName(number: number): string {
  const fromMin = number - SIGRTMIN;
  const fromMax = SIGRTMAX - number;
  if (fromMin === 0) return "SIGRTMIN";
  if (fromMax === 0) return "SIGRTMAX";
  return fromMin <= 15 ? `SIGRTMIN+${fromMin}` : `SIGRTMAX-${fromMax}`;
}

function fromNumber(number: number): Signal | undefined {
  if (number >= 1 && number <= 31) return { number, name: `SIG${STANDARD[number]}` };
  if (number >= SIGRTMIN && number <= SIGRTMAX) return { number, name: rtName(number) };
  return undefined;
}

function lookup(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  const upper = text.toUpperCase();
  const name = upper.startsWith("SIG") ? upper.slice(3) : upper;
  const standard = STANDARD.indexOf(name);
  if (standard > 0) return standard;
  if (name in ALIASES) return ALIASES[name];
  const rt = /^RT(MIN|MAX)(?:([+-])([0-9]{1,2}))?$/.exec(name);
  if (!rt) return undefined;
  const offset = rt[2] === undefined ? 0 : Number(rt[3]) * (rt[2] === "+" ? 1 : -1);
  // RTMIN counts up and RTMAX counts down; the other direction is not a name.
  if (rt[1] === "MIN" ? offset < 0 : offset > 0) return undefined;
  return (rt[1] === "MIN" ? SIGRTMIN : SIGRTMAX) + offset;
}

/**
 * Turns any usual spelling of a signal into its canonical form: `"TERM"`,
 * `"SIGTERM"`, `"sigterm"`, `15`, `"15"`, `"RTMIN+3"`, `"SIGRTMAX-2"`.
 * Signal 0 and anything unknown are refused, so a typo can never become
 * signal 0 (which crun 1.8 reports as a success).
 *
 * @throws {InvalidArgumentError} naming the value and what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseSignal } from "@weft/runtime";
 *
 * assert.equal(parseSignal("TERM").number, 15);
 * assert.equal(parseSignal(9).name, "SIGKILL");
 * assert.equal(parseSignal("RTMIN+3").number, 37);
 * ```
 */
export function parseSignal(value: unknown, argument = "signal"): Signal {
  let number: number | undefined;
  if (typeof value === "number") number = Number.isInteger(value) ? value : undefined;
  else if (typeof value === "string") number = lookup(value.trim());
  const signal = number === undefined ? undefined : fromNumber(number);
  if (signal) return signal;
  throw new InvalidArgumentError(
    `Invalid signal ${
      JSON.stringify(value)
    }: expected a name like "TERM" or "SIGRTMIN+3", or a number in 1-31 or ${SIGRTMIN}-${SIGRTMAX}`,
    { argument, value },
  );
}
