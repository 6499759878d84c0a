import assert from "node:assert/strict";

const SCRIPT = new URL("../scripts/in_cgroup2_ns.sh", import.meta.url).pathname;

async function pureCgroup2(): Promise<boolean> {
  const mounts = await Deno.readTextFile("/proc/self/mountinfo");
  return mounts.split("\n").some((line) => / \/sys\/fs\/cgroup .* - cgroup2 /.test(line));
}

/**
 * crun refuses every container on a host that mounts cgroup v1 and v2 side
 * by side ("cgroups in hybrid mode not supported"), as these test machines
 * do. `deno task test` already runs inside scripts/in_cgroup2_ns.sh (a
 * private mount namespace with cgroup2 on /sys/fs/cgroup); when a test file
 * is run directly on such a host instead, this registers one test that runs
 * the file again inside that namespace, and returns true: the caller then
 * registers nothing itself.
 */
export async function delegateToCgroup2Namespace(file: string): Promise<boolean> {
  if (await pureCgroup2()) return false;
  const path = new URL(file).pathname;
  Deno.test(`${path.split("/").pop()} runs inside a private cgroup2 mount namespace`, async () => {
    const { code, stdout, stderr } = await new Deno.Command(SCRIPT, {
      args: [Deno.execPath(), "test", "-A", path],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    assert.equal(code, 0, text);
  });
  return true;
}
