/**
 * What every VMM boots, with absolute paths: the same image manifest seen
 * from the host, after the boot's own kernel parameters were added.
 *
 * @module
 */
import { parseKernelMachineArgs } from "@weft/init/machine";

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

/** Parameters weft-vm always owns, whatever the image's command line says. */
const OWNED = ["init", "rdinit", "root", "weft.seed"];

/**
 * Checks extra kernel command-line words (`weft-vm run --append`): each is
 * one non-empty word without whitespace, not `--` (which would start the
 * init's argv), and sets no parameter weft-vm owns: `init=`, `rdinit=`,
 * `root=`, `weft.seed=`, and every `K=V` of `owned` (the image's command
 * line before `--`: console, panic, PATH, DENO_DIR...). The init's own
 * words (`weft.hostname=`, `weft.ip=`, `weft.gw=`, `weft.dns=`) are checked
 * here with the init's rules, so that a bad one fails before a build and a
 * boot rather than as the guest's exit 2.
 *
 * @param words The extra words.
 * @param owned The image's kernel command line. @default {""}
 * @returns `words`, when valid.
 * @throws {RangeError} Naming the first bad word and why.
 * @throws {KernelCommandLineError} (of `@weft/init/machine`) naming each bad `weft.*` word.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkAppendWords } from "@weft/vm";
 *
 * assert.deepEqual(checkAppendWords(["weft.ip=10.0.2.15/24", "loglevel=7"]), [
 *   "weft.ip=10.0.2.15/24",
 *   "loglevel=7",
 * ]);
 * assert.throws(() => checkAppendWords(["init=/bin/sh"]), /weft-vm sets init=/);
 * assert.throws(() => checkAppendWords(["panic=0"], "console=ttyS0 panic=-1 -- run"), /sets panic=/);
 * assert.throws(() => checkAppendWords(["weft.hostname=bad_name"]), /weft\.hostname: expected a hostname/);
 * ```
 */
export function checkAppendWords(words: readonly string[], owned = ""): readonly string[] {
  const key = (word: string) => word.split("=")[0];
  const keys = new Set([
    ...OWNED,
    ...owned.split(" -- ")[0].split(" ").filter((w) => w.includes("=")).map(key),
  ]);
  for (const word of words) {
    const why = word === "" || /\s/.test(word)
      ? "expected one word without spaces"
      : word === "--"
      ? "it would end the kernel's parameters (what follows is the init's argv)"
      : keys.has(key(word))
      ? `weft-vm sets ${key(word)}= itself`
      : undefined;
    if (why !== undefined) {
      throw new RangeError(`Invalid kernel command-line word ${JSON.stringify(word)}: ${why}`);
    }
  }
  parseKernelMachineArgs(words.join(" "));
  return words;
}
