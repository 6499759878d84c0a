/**
 * The I/O port QEMU's `isa-debug-exit` device listens on in weft's VM test and docs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_EXIT_PORT } from "@weft/init/exit-port";
 *
 * // qemu-system-x86_64 ... -device isa-debug-exit,iobase=0xf4,iosize=0x04
 * assert.equal(DEFAULT_EXIT_PORT, 0xf4);
 * ```
 */
export const DEFAULT_EXIT_PORT = 0xf4;

/**
 * Options of {@linkcode writeExitPort}.
 *
 * @example
 * ```ts ignore
 * import { type ExitPortOptions, writeExitPort } from "@weft/init/exit-port";
 *
 * // For a VM started with `-device isa-debug-exit,iobase=0x501,iosize=0x02`.
 * const options: ExitPortOptions = { port: 0x501 };
 * writeExitPort(0, options);
 * ```
 */
export interface ExitPortOptions {
  /** The I/O port written to. @default {0xf4} */
  port?: number;
  /** The file whose offset `port` is the I/O port. @default {"/dev/port"} */
  device?: string;
}

/**
 * Reports an exit code to the host of a QEMU VM through the
 * `isa-debug-exit` device (`-device isa-debug-exit,iobase=0xf4,iosize=0x04`):
 * writes the low byte of `code` to the I/O port, and QEMU exits at once with
 * status `(code << 1) | 1`. A VM cannot otherwise hand an exit status to its
 * host; this is how a test harness learns the pod's exit code. Without the
 * device the write is ignored and the caller goes on to power off.
 *
 * @example
 * ```ts ignore
 * import { writeExitPort } from "@weft/init";
 *
 * writeExitPort(0); // as PID 1 of a QEMU VM started with isa-debug-exit
 * ```
 */
export function writeExitPort(code: number, options: ExitPortOptions = {}): void {
  const port = options.port ?? DEFAULT_EXIT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new RangeError(`Invalid exit port ${JSON.stringify(port)}: expected 0 to 65535`);
  }
  const file = Deno.openSync(options.device ?? "/dev/port", { write: true });
  try {
    file.seekSync(port, Deno.SeekMode.Start);
    file.writeSync(new Uint8Array([code & 0xff]));
  } finally {
    file.close();
  }
}
