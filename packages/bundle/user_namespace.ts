import { fail, integer, join, record } from "./_fields.ts";

/**
 * A range of ids: `size` ids from `containerId` inside the container are
 * `hostId`... on the host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { IdMappingSpec } from "@weft/bundle";
 *
 * const range: IdMappingSpec = { containerId: 0, hostId: 100000, size: 65536 };
 * assert.equal(range.hostId + range.size, 165536);
 * ```
 */
export interface IdMappingSpec {
  /** First id inside the container. */
  containerId: number;
  /** The host id `containerId` maps to. */
  hostId: number;
  /** How many consecutive ids. */
  size: number;
}

/**
 * A user namespace of its own for the container: root inside is `hostId`
 * outside, an unprivileged user of the host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseContainerSpec, type UserNamespaceSpec } from "@weft/bundle";
 *
 * const userNamespace: UserNamespaceSpec = {
 *   uidMappings: [{ containerId: 0, hostId: 100000, size: 65536 }],
 * };
 * const spec = parseContainerSpec({ rootfs: "/srv/web", userNamespace });
 * assert.equal(spec.userNamespace?.uidMappings[0].hostId, 100000);
 * ```
 */
export interface UserNamespaceSpec {
  /** The uid ranges; container uid 0 must be in one (the runtime sets up as root). */
  uidMappings: IdMappingSpec[];
  /** The gid ranges; container gid 0 must be in one. @default {the same as uidMappings} */
  gidMappings?: IdMappingSpec[];
}

// Ids are 32-bit; (uid_t)-1 is "no id". The kernel takes at most 340 lines.
const MAX_ID = 2 ** 32 - 2;
const MAX_RANGES = 340;

/** Checks a spec's `userNamespace`: integer ranges, no overlaps on either side, id 0 mapped. */
export function parseUserNamespace(input: unknown, path: string): UserNamespaceSpec {
  const raw = record(input, path, ["uidMappings", "gidMappings"]);
  const result: UserNamespaceSpec = {
    uidMappings: parseRanges(raw.uidMappings, join(path, "uidMappings")),
  };
  if (raw.gidMappings !== undefined) {
    result.gidMappings = parseRanges(raw.gidMappings, join(path, "gidMappings"));
  }
  return result;
}

function parseRanges(input: unknown, path: string): IdMappingSpec[] {
  const expected = `an array of 1 to ${MAX_RANGES} {"containerId", "hostId", "size"} ranges`;
  if (!Array.isArray(input) || input.length === 0 || input.length > MAX_RANGES) {
    return fail(path, expected, input);
  }
  const ranges = input.map((item, index) => {
    const field = join(path, index);
    const raw = record(item, field, ["containerId", "hostId", "size"]);
    const range = {
      containerId: integer(raw.containerId, join(field, "containerId"), 0, MAX_ID),
      hostId: integer(raw.hostId, join(field, "hostId"), 0, MAX_ID),
      size: integer(raw.size, join(field, "size"), 1, MAX_ID + 1),
    };
    for (const side of ["containerId", "hostId"] as const) {
      if (range[side] + range.size - 1 > MAX_ID) {
        fail(
          join(field, "size"),
          `at most ${MAX_ID + 1 - range[side]} (ids end at ${MAX_ID})`,
          range.size,
        );
      }
    }
    return range;
  });
  for (const side of ["containerId", "hostId"] as const) {
    ranges.forEach((range, index) => {
      const other = ranges.findIndex((them, at) =>
        at < index && range[side] < them[side] + them.size && them[side] < range[side] + range.size
      );
      if (other !== -1) {
        const them = ranges[other];
        fail(
          join(join(path, index), side),
          `a range that overlaps no other: ${path}[${other}] already maps ${side} ` +
            `${them[side]}-${them[side] + them.size - 1}`,
          range[side],
        );
      }
    });
  }
  if (mapId(ranges, 0) === undefined) {
    fail(path, "a range holding id 0 (the runtime sets the container up as its root)", input);
  }
  return ranges;
}

/** The host id of container id `id`, or undefined when no range holds it. */
export function mapId(ranges: readonly IdMappingSpec[], id: number): number | undefined {
  const range = ranges.find((r) => id >= r.containerId && id < r.containerId + r.size);
  return range === undefined ? undefined : range.hostId + id - range.containerId;
}

/** Whether host id `id` is in the host side of one of the ranges. */
export function mapsHostId(ranges: readonly IdMappingSpec[], id: number): boolean {
  return ranges.some((r) => id >= r.hostId && id < r.hostId + r.size);
}
