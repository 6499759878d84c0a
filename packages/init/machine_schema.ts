import * as v from "valibot";
import { integer, strictObject } from "@weft/bundle/schema-kit";

const IPV4 = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}";

/**
 * The machine a pod runs on, when weft-init is the PID 1 of a VM: its
 * hostname, its open-files limit, and an optional static IPv4 network.
 * Ignored when weft-init is not the machine's PID 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MachineConfig } from "@weft/init";
 *
 * const machine: MachineConfig = {
 *   hostname: "pod-1",
 *   network: { interface: "eth0", address: "10.0.2.15/24", gateway: "10.0.2.2", dns: [] },
 * };
 * assert.ok(machine.network?.interface === "eth0");
 * ```
 */
export interface MachineConfig {
  /** The machine's hostname. @default {the kernel's ("(none)"), or weft.hostname= on the kernel command line} */
  hostname?: string;
  /** RLIMIT_NOFILE of the init and what it starts. @default {the kernel's maximum, fs.nr_open} */
  openFiles?: number;
  /** A static IPv4 network on one interface. @default {none, or weft.ip= on the kernel command line} */
  network?: NetworkConfig;
}

/**
 * A static IPv4 network of {@linkcode MachineConfig}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { NetworkConfig } from "@weft/init";
 *
 * const network: NetworkConfig = { interface: "eth0", address: "10.0.2.15/24", dns: ["10.0.2.3"] };
 * assert.ok(network.address.endsWith("/24"));
 * ```
 */
export interface NetworkConfig {
  /** The interface. @default {"eth0"} */
  interface: string;
  /** Address and prefix length, `10.0.2.15/24`. */
  address: string;
  /** The default route's gateway. @default {none} */
  gateway?: string;
  /** Name servers written to /etc/resolv.conf. @default {[]} */
  dns: string[];
}

/** `machine.hostname`, and the kernel command line's `weft.hostname=`: one rule for both. */
export const HOSTNAME_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.regex(
    /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
    "a hostname (letters, digits, '-' and '.', at most 63 per label)",
  ),
  v.maxLength(64, "a hostname of at most 64 characters"),
  v.description("The machine's hostname."),
);

/** One IPv4 address: `machine.network.gateway` and each of `dns`, `weft.gw=` and each of `weft.dns=`. */
export const IPV4_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.regex(new RegExp(`^${IPV4}$`), "an IPv4 address"),
);

/** `machine.network.address`, and `weft.ip=`: an IPv4 address with its prefix length. */
export const IPV4_PREFIX_SCHEMA: v.GenericSchema<string> = v.pipe(
  v.string(),
  v.regex(
    new RegExp(`^${IPV4}/([0-9]|[12][0-9]|3[0-2])$`),
    "an IPv4 address with its prefix length, like 10.0.2.15/24",
  ),
);

const network = strictObject({
  interface: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^[A-Za-z0-9_.-]{1,15}$/, "an interface name of 1 to 15 characters"),
      v.description("The interface."),
    ),
    "eth0",
  ),
  address: v.pipe(IPV4_PREFIX_SCHEMA, v.description("Address and prefix length.")),
  gateway: v.optional(v.pipe(IPV4_SCHEMA, v.description("The default route's gateway."))),
  dns: v.optional(
    v.pipe(v.array(IPV4_SCHEMA), v.description("Name servers written to /etc/resolv.conf.")),
    () => [],
  ),
});

/** The `machine` object of the pod file (valibot; config_schema.ts puts it into the pod's schema). */
export const MACHINE_SCHEMA: v.GenericSchema<unknown, MachineConfig> = v.pipe(
  strictObject({
    hostname: v.optional(HOSTNAME_SCHEMA),
    openFiles: v.optional(
      v.pipe(
        integer(1024, 1 << 30),
        v.description("RLIMIT_NOFILE of the init and what it starts (default: fs.nr_open)."),
      ),
    ),
    network: v.optional(
      v.pipe(network, v.description("A static IPv4 network on one interface, set through ioctl.")),
    ),
  }),
  v.description(
    "The machine, when weft-init is a VM's PID 1 (ignored otherwise): hostname, open-files limit, static network. The kernel command line (weft.hostname=, weft.ip=, weft.gw=, weft.dns=) overrides it.",
  ),
);
