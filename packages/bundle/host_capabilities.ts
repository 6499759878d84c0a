import { ALL_CAPABILITIES } from "./defaults.ts";

/**
 * The capabilities this process may hand to a container: its bounding set
 * (`CapBnd` of `/proc/self/status`), as names. A privileged container gets
 * these, as Docker's privileged mode does: a runtime cannot grant a
 * capability its caller's bounding set lacks ("capset: Operation not
 * permitted"). Capabilities newer than {@linkcode ALL_CAPABILITIES} knows
 * are left out. Where /proc cannot be read, all of them are returned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostCapabilities } from "@weft/bundle";
 *
 * const capabilities = await hostCapabilities();
 * assert.ok(capabilities.every((name) => name.startsWith("CAP_")));
 * ```
 */
export async function hostCapabilities(): Promise<string[]> {
  let status: string;
  try {
    status = await Deno.readTextFile("/proc/self/status");
  } catch {
    return [...ALL_CAPABILITIES];
  }
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (hex === undefined) return [...ALL_CAPABILITIES];
  const bits = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => (bits & (1n << BigInt(bit))) !== 0n);
}
