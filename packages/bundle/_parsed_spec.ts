import type { ContainerSpec } from "./container_spec.ts";

// The specs parseContainerSpec returned: generateConfig takes them as they
// are instead of checking them again, so a pod's specs are parsed once, with
// the pod file. Such a spec must not be changed afterwards.
const parsed = new WeakSet<ContainerSpec>();

/** Records `spec` as checked by parseContainerSpec and returns it. */
export function markParsed(spec: ContainerSpec): ContainerSpec {
  parsed.add(spec);
  return spec;
}

/** Whether `value` is a spec that parseContainerSpec returned. */
export function isParsed(value: unknown): value is ContainerSpec {
  return typeof value === "object" && value !== null && parsed.has(value as ContainerSpec);
}
