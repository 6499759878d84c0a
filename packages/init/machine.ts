import { getLogger } from "@logtape/logtape";
import {
  addDefaultRoute,
  addEntropy,
  getOpenFilesLimit,
  setHostname,
  setInterfaceAddress,
  setInterfaceUp,
  setOpenFilesLimit,
} from "./_machine_libc.ts";
import * as v from "valibot";
import { fromValibot } from "./_issues.ts";
import { ConfigError } from "./config.ts";
import type { ConfigIssue } from "./config_types.ts";
import {
  HOSTNAME_SCHEMA,
  IPV4_PREFIX_SCHEMA,
  IPV4_SCHEMA,
  type MachineConfig,
  type NetworkConfig,
} from "./machine_schema.ts";

const logger = getLogger(["weft", "init", "machine"]);

/**
 * What the host said on the kernel command line (`weft.*` words, which the
 * kernel leaves to user space in /proc/cmdline and never hands to PID 1's
 * environment, so they do not leak into containers).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KernelMachineArgs } from "@weft/init/machine";
 *
 * const args: KernelMachineArgs = { hostname: "vm1", seed: new Uint8Array(32) };
 * assert.ok(args.seed?.length === 32);
 * ```
 */
export interface KernelMachineArgs {
  /** `weft.hostname=NAME`. */
  hostname?: string;
  /** `weft.ip=ADDR/LEN`, with `weft.gw=` and `weft.dns=A,B` (on eth0). */
  network?: NetworkConfig;
  /** `weft.seed=HEX`: bytes for the entropy pool. */
  seed?: Uint8Array;
}

/**
 * A `weft.*` word of the kernel command line that the pod file's own rule
 * for the same field refuses (`weft.hostname=` as `machine.hostname`,
 * `weft.ip=`, `weft.gw=` and each of `weft.dns=` as `machine.network`'s). A
 * {@linkcode ConfigError} (weft-init exits with 2, before any container
 * starts) whose `issues` name each word and what it expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KernelCommandLineError, parseKernelMachineArgs } from "@weft/init/machine";
 *
 * assert.throws(
 *   () => parseKernelMachineArgs("weft.hostname=no_underscores"),
 *   (error) => error instanceof KernelCommandLineError && error.issues[0].path === "weft.hostname",
 * );
 * ```
 */
export class KernelCommandLineError extends ConfigError {
  /** Creates the error for `issues` (each a word and what it expected). */
  constructor(issues: ConfigIssue[]) {
    super(ConfigError.describeIssues("Invalid kernel command line", issues), { issues });
    this.name = "KernelCommandLineError";
  }
}

/** Adds to `issues`, named `word`, what the pod file's `schema` says of `value`. */
function check(
  word: string,
  schema: v.GenericSchema<string>,
  value: string,
  issues: ConfigIssue[],
): void {
  const result = v.safeParse(schema, value, { abortPipeEarly: true });
  if (result.success) return;
  for (const { message } of fromValibot(schema, result.issues)) {
    issues.push({ path: word, message });
  }
}

/**
 * Reads the `weft.*` words of a kernel command line.
 *
 * @param cmdline The contents of /proc/cmdline.
 * @returns What they ask for; a malformed `weft.seed=` is left out (and logged).
 * @throws {KernelCommandLineError} When `weft.hostname=`, `weft.ip=`,
 * `weft.gw=` or `weft.dns=` is not what the pod file's same field accepts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseKernelMachineArgs } from "@weft/init/machine";
 *
 * const args = parseKernelMachineArgs("quiet weft.hostname=vm1 weft.ip=10.0.2.15/24 weft.seed=00ff");
 * assert.ok(args.hostname === "vm1" && args.network?.address === "10.0.2.15/24");
 * assert.ok(args.seed?.[1] === 255);
 * ```
 */
export function parseKernelMachineArgs(cmdline: string): KernelMachineArgs {
  const words = new Map<string, string>();
  for (const word of cmdline.trim().split(/\s+/)) {
    if (word === "--") break;
    const match = word.match(/^weft\.([a-z]+)=(.*)$/);
    if (match !== null) words.set(match[1], match[2]);
  }
  const args: KernelMachineArgs = {};
  const issues: ConfigIssue[] = [];
  const hostname = words.get("hostname");
  if (hostname !== undefined) {
    check("weft.hostname", HOSTNAME_SCHEMA, hostname, issues);
    args.hostname = hostname;
  }
  // gw and dns are checked even without ip (where they are unused): a typo must not pass silently.
  const gateway = words.get("gw");
  if (gateway !== undefined) check("weft.gw", IPV4_SCHEMA, gateway, issues);
  const dns = (words.get("dns") ?? "").split(",").filter((s) => s !== "");
  for (const server of dns) check("weft.dns", IPV4_SCHEMA, server, issues);
  const ip = words.get("ip");
  if (ip !== undefined) {
    check("weft.ip", IPV4_PREFIX_SCHEMA, ip, issues);
    args.network = { interface: "eth0", address: ip, gateway, dns };
  }
  if (issues.length > 0) throw new KernelCommandLineError(issues);
  const seed = words.get("seed");
  if (seed !== undefined) {
    if (/^([0-9a-fA-F]{2})+$/.test(seed)) {
      args.seed = new Uint8Array(seed.match(/../g)!.map((hex) => parseInt(hex, 16)));
    } else logger.warn("Ignored weft.seed: expected hex bytes");
  }
  return args;
}

/**
 * An IPv4 address with prefix length, as bytes.
 *
 * @param cidr Like `10.0.2.15/24`.
 * @returns The address and the netmask, four bytes each.
 * @throws {TypeError} When `cidr` is not one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCidr } from "@weft/init/machine";
 *
 * const { address, netmask } = parseCidr("10.0.2.15/24");
 * assert.ok(address.join(".") === "10.0.2.15" && netmask.join(".") === "255.255.255.0");
 * ```
 */
export function parseCidr(cidr: string): { address: number[]; netmask: number[] } {
  const match = cidr.match(/^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/);
  const address = match?.slice(1, 5).map(Number) ?? [];
  const length = Number(match?.[5]);
  if (match === null || address.some((b) => b > 255) || length > 32) {
    throw new TypeError(`Invalid address "${cidr}": expected IPv4/prefix, like 10.0.2.15/24`);
  }
  const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
  return { address, netmask: [24, 16, 8, 0].map((shift) => (mask >>> shift) & 0xff) };
}

function attempt(what: string, action: () => void): boolean {
  try {
    action();
    return true;
  } catch (error) {
    logger.error("Cannot {what}: {error}", { what, error });
    return false;
  }
}

function configureNetwork(network: NetworkConfig): void {
  const { address, netmask } = parseCidr(network.address);
  setInterfaceAddress(network.interface, address, netmask);
  setInterfaceUp(network.interface);
  if (network.gateway !== undefined) addDefaultRoute(parseCidr(`${network.gateway}/32`).address);
  if (network.dns.length > 0) {
    Deno.writeTextFileSync(
      "/etc/resolv.conf",
      network.dns.map((server) => `nameserver ${server}\n`).join(""),
    );
  }
}

/**
 * Options of {@linkcode setUpMachine}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SetUpMachineOptions } from "@weft/init/machine";
 *
 * const options: SetUpMachineOptions = { cmdline: "weft.hostname=vm1" };
 * assert.ok(options.cmdline?.startsWith("weft."));
 * ```
 */
export interface SetUpMachineOptions {
  /** The kernel command line. @default {the contents of /proc/cmdline} */
  cmdline?: string;
}

/**
 * The machine duties of a VM's PID 1, as the Kata agent does them: brings
 * up `lo` (a fresh kernel leaves it down, and containers in the machine's
 * network namespace need it), sets the hostname, raises the open-files
 * limit, configures the static network if one is asked for, and credits the
 * host's entropy seed to the kernel's pool. The kernel command line
 * (`weft.*`) overrides the pod file's `machine`. Each duty is logged; one
 * that fails is logged as an error and the others still run.
 *
 * @param config The pod file's `machine`.
 * @param options Where the kernel command line comes from.
 * @returns Whether every duty succeeded.
 * @throws {KernelCommandLineError} Before any duty, when a `weft.*` word is
 * not what the pod file's same field accepts.
 *
 * @example
 * ```ts ignore
 * import { setUpMachine } from "@weft/init/machine";
 *
 * // As a VM's PID 1, after /proc is mounted:
 * setUpMachine({ hostname: "pod-1" });
 * ```
 */
export function setUpMachine(
  config: MachineConfig | undefined,
  options: SetUpMachineOptions = {},
): boolean {
  const kernel = parseKernelMachineArgs(options.cmdline ?? Deno.readTextFileSync("/proc/cmdline"));
  let ok = attempt("bring up lo", () => setInterfaceUp("lo"));
  const hostname = kernel.hostname ?? config?.hostname;
  if (hostname !== undefined) {
    ok = attempt(`set the hostname to "${hostname}"`, () => setHostname(hostname)) && ok;
  }
  // Read back inside the duty: a failing getrlimit is this duty's error, not the whole call's.
  let openFiles: number | undefined;
  ok = attempt("raise the open-files limit", () => {
    const target = BigInt(
      config?.openFiles ?? Number(Deno.readTextFileSync("/proc/sys/fs/nr_open").trim()),
    );
    const { soft, hard } = getOpenFilesLimit();
    if (soft < target) {
      try {
        setOpenFilesLimit(target, target);
      } catch (error) {
        // Without CAP_SYS_RESOURCE (a container's PID 1) the hard limit stays: reach it at least.
        if (soft < hard) setOpenFilesLimit(hard, hard);
        logger.warn("The open-files limit stays at {hard}: {error}", { hard: Number(hard), error });
      }
    }
    openFiles = Number(getOpenFilesLimit().soft);
  }) && ok;
  const network = kernel.network ?? config?.network;
  if (network !== undefined) {
    ok = attempt(`configure ${network.interface}`, () => configureNetwork(network)) && ok;
  }
  if (kernel.seed !== undefined) {
    const seed = kernel.seed;
    ok = attempt("seed the entropy pool", () => addEntropy(seed)) && ok;
  }
  logger.info("Machine ready: lo up, hostname {hostname}", {
    hostname: hostname ?? "(the kernel's)",
    openFiles,
    network: network === undefined ? undefined : `${network.interface} ${network.address}`,
    entropyBits: kernel.seed === undefined ? undefined : kernel.seed.length * 8,
  });
  return ok;
}
