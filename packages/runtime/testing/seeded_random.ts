/**
 * A seeded generator of numbers in [0, 1) (mulberry32), for fuzz tests whose
 * failures must name an input that gives them again.
 *
 * @example
 * ```ts
 * import { strictEqual } from "node:assert/strict";
 * import { seededRandom } from "@weft/runtime/testing";
 *
 * const a = seededRandom(7);
 * const b = seededRandom(7);
 * strictEqual(a(), b());
 * ```
 */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
