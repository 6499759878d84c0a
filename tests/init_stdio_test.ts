// Where container output goes (a file appended to, or nowhere), and a pod
// that ends as soon as any container has ended for good.
import { deepStrictEqual, strictEqual as assertEquals } from "node:assert/strict";
import { podTest, startInit } from "./_init_harness.ts";

podTest(
  "file output is appended, none is discarded, and any-ended ends the pod with the first container",
  async ({ pod, runtime, mode }) => {
    const log = `${pod.dir}/job.log`;
    await Deno.writeTextFile(log, "earlier run\n");
    const config = await pod.write(runtime, {
      containers: [
        {
          id: "wi-job",
          bundle: await pod.bundle("sleep 0.5; echo to stdout; echo to stderr >&2; exit 0"),
          stdio: { file: log },
          restart: { policy: "never" },
        },
        {
          id: "wi-quiet",
          bundle: await pod.bundle(
            "trap 'echo quiet stopping; exit 0' TERM; echo quiet; while :; do sleep 0.05; done",
          ),
          stdio: "none",
        },
      ],
      pod: { endWhen: "any-ended" },
    });
    await using init = startInit(config, mode);
    const { code, stdout, stderr } = await init.exited;
    assertEquals(code, 0, stderr);
    // Both streams go to the file through two pipes: their order is not guaranteed.
    const lines = (await Deno.readTextFile(log)).split("\n");
    deepStrictEqual([lines[0], ...lines.slice(1).sort()], [
      "earlier run",
      "",
      "to stderr",
      "to stdout",
    ]);
    assertEquals(stdout, "", "neither container wrote to the console");
    const status = (await pod.status())!;
    assertEquals(status.pod.stopReason, 'container "wi-job" ended');
    deepStrictEqual(
      Object.values(status.containers).map((c) => c.state),
      ["exited", "stopped"],
    );
    deepStrictEqual(await pod.rootEntries(), []);
  },
);
