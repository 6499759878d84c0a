/**
 * Produces the single-file init the VM boots, as `deno task bundle` does,
 * into a file of this process's own (test files bundle concurrently).
 */

/** The repository root. */
const ROOT = new URL("../..", import.meta.url).pathname;

/** Bundles packages/init/main.ts and returns the bundle's path (under .tools/vm). */
export async function bundleInit(): Promise<string> {
  await Deno.mkdir(`${ROOT}.tools/vm`, { recursive: true });
  const out = `${ROOT}.tools/vm/weft-init-${Deno.pid}.js`;
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--output", out, "packages/init/main.ts"],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(`deno bundle failed: ${new TextDecoder().decode(result.stderr).trim()}`);
  }
  return out;
}
