/** Produces the single-file init the VM boots, exactly as users do: `deno task bundle`. */
import { run } from "./_run.ts";

/** The repository root. */
const ROOT = new URL("../..", import.meta.url).pathname;

/** Runs `deno task bundle` and returns the path of dist/weft-init.js. */
export async function bundleInit(): Promise<string> {
  await run(Deno.execPath(), ["task", "--quiet", "bundle"], { cwd: ROOT });
  return `${ROOT}dist/weft-init.js`;
}
