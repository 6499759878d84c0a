/** A `deno ...` command line of the README, run from the repository root with the VM cache. */
import assert from "node:assert/strict";
import { CACHE_DIR } from "./boot_scenario.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/**
 * `argv` (which starts with `deno`) as a command of this Deno, from the
 * repository root, with the VM tests' cache; the README's image directory
 * `/tmp/pod-vm` becomes `out`.
 */
export function command(argv: string[], out = "/tmp/pod-vm"): Deno.Command {
  const args = argv.slice(1).map((word) => word === "/tmp/pod-vm" ? out : word);
  assert.equal(argv[0], "deno");
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { WEFT_VM_CACHE: CACHE_DIR, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}
