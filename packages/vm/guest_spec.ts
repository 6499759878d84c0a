/**
 * What every VMM boots, with absolute paths: the same image manifest seen
 * from the host, after the boot's own kernel parameters were added.
 *
 * @module
 */

/**
 * A guest to boot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { GuestSpec } from "@weft/vm";
 *
 * const guest: GuestSpec = {
 *   kernel: "/img/vmlinux",
 *   initrd: "/img/initrd.cpio",
 *   disks: [],
 *   append: "console=ttyS0 -- /init.js",
 *   memoryMib: 1024,
 * };
 * assert.equal(guest.disks.length, 0);
 * ```
 */
export interface GuestSpec {
  /** The ELF kernel. */
  kernel: string;
  /** The initramfs. */
  initrd: string;
  /** virtio-blk disks in order (`/dev/vda`, `/dev/vdb`). */
  disks: string[];
  /** The whole kernel command line. */
  append: string;
  /** Guest memory in MiB. */
  memoryMib: number;
}

/**
 * `append` with `words` added to the kernel's own parameters, before the
 * `--` that starts the init's argv.
 *
 * @param append A kernel command line.
 * @param words Kernel parameters to add.
 * @returns The command line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withKernelWords } from "@weft/vm";
 *
 * assert.equal(withKernelWords("console=ttyS0 -- run", ["quiet"]), "console=ttyS0 quiet -- run");
 * assert.equal(withKernelWords("console=ttyS0", ["quiet"]), "console=ttyS0 quiet");
 * ```
 */
export function withKernelWords(append: string, words: readonly string[]): string {
  const [head, ...tail] = append.split(" -- ");
  return [head, ...words].join(" ") + (tail.length > 0 ? ` -- ${tail.join(" -- ")}` : "");
}
