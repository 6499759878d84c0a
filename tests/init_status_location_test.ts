// Where the status file is: as PID 1 of a PID namespace the init mounts no
// /run of its own, so a status file under /run is the host's, read by the
// host while the pod runs (the default is /run/weft/status.json).
import { deepStrictEqual, strictEqual as assertEquals } from "node:assert/strict";
import { podTest, startInit, waitFor } from "./_init_harness.ts";

podTest(
  "a status file under /run is visible to the host while the pod runs",
  async ({ pod, runtime, mode }) => {
    const dir = `/run/weft-test-${crypto.randomUUID().slice(0, 8)}`;
    const statusFile = `${dir}/status.json`;
    const configFile = await pod.write(runtime, {
      containers: [{
        id: "wi-status",
        bundle: await pod.bundle("trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done"),
      }],
    });
    const config = JSON.parse(await Deno.readTextFile(configFile));
    await Deno.writeTextFile(configFile, JSON.stringify({ ...config, statusFile }));
    try {
      await using init = startInit(configFile, mode);
      const read = async () => JSON.parse(await Deno.readTextFile(statusFile).catch(() => "null"));
      let status: { containers: Record<string, { state: string }> } | null = null;
      await waitFor(
        async () => (status = await read())?.containers["wi-status"]?.state === "running",
        15_000,
        () =>
          `the host never saw ${statusFile} with the container running: ${JSON.stringify(status)}`,
      );
      const mounts = await Deno.readTextFile(`/proc/${await init.pid()}/mountinfo`);
      const own = await Deno.readTextFile("/proc/self/mountinfo");
      const runMounts = (text: string) =>
        text.split("\n").filter((line) => line.split(" ")[4] === "/run").map((line) =>
          line.split(" - ")[1]?.split(" ")[0]
        );
      deepStrictEqual(runMounts(mounts), runMounts(own), "the init's /run is the host's");
      await init.kill("SIGTERM");
      const { code, stderr } = await init.exited;
      assertEquals(code, 0, stderr);
      assertEquals((await read()).pod.state, "ended");
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
  { runtimes: ["runc"] },
);
