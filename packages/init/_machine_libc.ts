// FFI bindings for the machine duties of a VM's PID 1 (network interfaces,
// hostname, resource limits, entropy). Kept apart from _libc.ts, which serves
// the reaper and the mounts. The library is opened on first use, so importing
// this module needs no --allow-ffi. Every call returns at once.
import { prepareErrno, syscallError } from "./_libc.ts";

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  sethostname: { parameters: ["buffer", "u64"], result: "i32" },
  getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
  setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
} as const;

type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let libc: Libc | undefined;

function lib(): Libc {
  if (libc === undefined) {
    prepareErrno();
    libc = Deno.dlopen("libc.so.6", SYMBOLS).symbols;
  }
  return libc;
}

const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const O_WRONLY = 1;
const O_CLOEXEC = 0o2000000;

const SIOCGIFFLAGS = 0x8913n;
const SIOCSIFFLAGS = 0x8914n;
const SIOCSIFADDR = 0x8916n;
const SIOCSIFNETMASK = 0x891cn;
const SIOCADDRT = 0x890bn;
const RNDADDENTROPY = 0x40085203n;
const IFF_UP = 0x1;
const RTF_UP = 0x1;
const RTF_GATEWAY = 0x2;
const RLIMIT_NOFILE = 7;

const encoder = new TextEncoder();

/** A datagram socket for the interface ioctls, closed after `use`. */
function withSocket<T>(what: string, use: (fd: number) => T): T {
  const fd = lib().socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd === -1) throw syscallError("socket", `Cannot ${what}: no socket`);
  try {
    return use(fd);
  } finally {
    lib().close(fd);
  }
}

/** struct ifreq (40 bytes): the name, then a union at offset 16. */
function ifreq(name: string): { bytes: Uint8Array<ArrayBuffer>; view: DataView } {
  const name8 = encoder.encode(name);
  if (name8.length === 0 || name8.length > 15) {
    throw new RangeError(`Invalid interface name "${name}": expected 1 to 15 bytes`);
  }
  const bytes = new Uint8Array(40);
  bytes.set(name8);
  return { bytes, view: new DataView(bytes.buffer) };
}

/** Writes a sockaddr_in for `address` (dotted IPv4) at `offset`. */
function sockaddrIn(view: DataView, offset: number, address: readonly number[]): void {
  view.setUint16(offset, AF_INET, true);
  address.forEach((byte, i) => view.setUint8(offset + 4 + i, byte));
}

/** Sets IFF_UP on interface `name` (SIOCGIFFLAGS, then SIOCSIFFLAGS). */
export function setInterfaceUp(name: string): void {
  const what = `bring up interface "${name}"`;
  withSocket(what, (fd) => {
    const { bytes, view } = ifreq(name);
    if (lib().ioctl(fd, SIOCGIFFLAGS, bytes) === -1) {
      throw syscallError("ioctl", `Cannot ${what}: SIOCGIFFLAGS`);
    }
    view.setInt16(16, view.getInt16(16, true) | IFF_UP, true);
    if (lib().ioctl(fd, SIOCSIFFLAGS, bytes) === -1) {
      throw syscallError("ioctl", `Cannot ${what}: SIOCSIFFLAGS`);
    }
  });
}

/** Gives interface `name` an IPv4 address and netmask (SIOCSIFADDR, SIOCSIFNETMASK). */
export function setInterfaceAddress(
  name: string,
  address: readonly number[],
  netmask: readonly number[],
): void {
  const what = `set the address of interface "${name}"`;
  withSocket(what, (fd) => {
    for (
      const [request, value, call] of [
        [SIOCSIFADDR, address, "SIOCSIFADDR"],
        [SIOCSIFNETMASK, netmask, "SIOCSIFNETMASK"],
      ] as const
    ) {
      const { bytes, view } = ifreq(name);
      sockaddrIn(view, 16, value);
      if (lib().ioctl(fd, request, bytes) === -1) {
        throw syscallError("ioctl", `Cannot ${what}: ${call}`);
      }
    }
  });
}

/** Adds the default route through `gateway` (SIOCADDRT with a struct rtentry of 120 bytes). */
export function addDefaultRoute(gateway: readonly number[]): void {
  withSocket("add the default route", (fd) => {
    const bytes = new Uint8Array(120);
    const view = new DataView(bytes.buffer);
    sockaddrIn(view, 8, [0, 0, 0, 0]); // rt_dst
    sockaddrIn(view, 24, gateway); // rt_gateway
    sockaddrIn(view, 40, [0, 0, 0, 0]); // rt_genmask
    view.setUint16(56, RTF_UP | RTF_GATEWAY, true); // rt_flags
    if (lib().ioctl(fd, SIOCADDRT, bytes) === -1) {
      throw syscallError("ioctl", `Cannot add the default route via ${gateway.join(".")}`);
    }
  });
}

/** sethostname(2). */
export function setHostname(name: string): void {
  const bytes = encoder.encode(name);
  if (lib().sethostname(bytes, BigInt(bytes.length)) === -1) {
    throw syscallError("sethostname", `Cannot set the hostname to "${name}"`);
  }
}

/** The soft and hard RLIMIT_NOFILE of this process. */
export function getOpenFilesLimit(): { soft: bigint; hard: bigint } {
  const limit = new BigUint64Array(2);
  if (lib().getrlimit(RLIMIT_NOFILE, new Uint8Array(limit.buffer)) === -1) {
    throw syscallError("getrlimit", "Cannot read the open-files limit");
  }
  return { soft: limit[0], hard: limit[1] };
}

/** setrlimit(RLIMIT_NOFILE). */
export function setOpenFilesLimit(soft: bigint, hard: bigint): void {
  const limit = new BigUint64Array([soft, hard]);
  if (lib().setrlimit(RLIMIT_NOFILE, new Uint8Array(limit.buffer)) === -1) {
    throw syscallError("setrlimit", `Cannot set the open-files limit to ${soft}/${hard}`);
  }
}

/**
 * Adds `seed` to the kernel's entropy pool and credits it (ioctl
 * RNDADDENTROPY on /dev/urandom: a plain write would mix it in uncredited).
 */
export function addEntropy(seed: Uint8Array, device = "/dev/urandom"): void {
  const words = Math.ceil(seed.length / 4);
  const info = new Uint8Array(8 + words * 4);
  const view = new DataView(info.buffer);
  view.setInt32(0, seed.length * 8, true); // entropy_count, in bits
  view.setInt32(4, seed.length, true); // buf_size, in bytes
  info.set(seed, 8);
  const fd = lib().open(encoder.encode(`${device}\0`), O_WRONLY | O_CLOEXEC);
  if (fd === -1) throw syscallError("open", `Cannot open "${device}"`);
  try {
    if (lib().ioctl(fd, RNDADDENTROPY, info) === -1) {
      throw syscallError("ioctl", "Cannot add entropy: RNDADDENTROPY");
    }
  } finally {
    lib().close(fd);
  }
}
