import type { Runtime } from "@weft/runtime";
import { requireBinary } from "@weft/runtime/testing";
import { CrunRuntime } from "@weft/crun";
import { RuncRuntime } from "@weft/runc";

/** One runtime under test. */
export interface RuntimeUnderTest {
  /** Its name, for test names. */
  name: string;
  /** Makes it with state root `root`. */
  make(root: string, options?: { timeout?: number }): Runtime;
}

const available = { crun: await requireBinary("crun"), runc: await requireBinary("runc") };
const busybox = await requireBinary("busybox");

/**
 * The real runtimes found on this machine (a missing one is reported by
 * requireBinary: loudly, and as a failure in CI).
 */
export const RUNTIMES: readonly RuntimeUnderTest[] = busybox === undefined ? [] : [
  ...(available.crun === undefined ? [] : [{
    name: "crun",
    make: (root: string, options: { timeout?: number } = {}) =>
      new CrunRuntime({ root, ...options }),
  }]),
  ...(available.runc === undefined ? [] : [{
    name: "runc",
    make: (root: string, options: { timeout?: number } = {}) =>
      new RuncRuntime({ root, ...options }),
  }]),
];

/** A fresh state root and a unique id prefix for one test; `await using` removes the root. */
export async function scratch(
  tag: string,
): Promise<AsyncDisposable & { root: string; id: string }> {
  const root = await Deno.makeTempDir({ prefix: `weft-${tag}-` });
  const id = `crunrunc-${tag}-${crypto.randomUUID().slice(0, 6)}`;
  return {
    root,
    id,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }).catch(() => {}),
  };
}
