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

podTest(
  "file output from the pod file: stderr to its own file, JSON lines, rotation keeping whole lines",
  async ({ pod, runtime, mode }) => {
    const out = `${pod.dir}/logs/app.json`;
    const err = `${pod.dir}/logs/app.err.json`;
    await Deno.mkdir(`${pod.dir}/logs`);
    const config = await pod.write(runtime, {
      containers: [{
        id: "wi-logs",
        bundle: await pod.bundle(
          'i=0; while [ $i -lt 300 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done; printf tail',
        ),
        stdio: {
          file: "logs/app.json",
          stderrFile: "logs/app.err.json",
          format: "json",
          maxBytes: 4096,
          maxFiles: 100,
        },
        restart: { policy: "never" },
      }],
      pod: { endWhen: "any-ended" },
    });
    await using init = startInit(config, mode);
    const { code, stderr } = await init.exited;
    assertEquals(code, 0, stderr);
    for (
      const [path, stream, prefix, extra] of [[out, "stdout", "out", ["tail"]], [
        err,
        "stderr",
        "err",
        [],
      ]] as const
    ) {
      const names = [...Deno.readDirSync(`${pod.dir}/logs`)].map((e) => e.name)
        .filter((name) =>
          name === path.split("/").pop() || name.startsWith(`${path.split("/").pop()}.`)
        );
      assertEquals(names.length > 1, true, `rotated: ${names}`);
      names.sort((a, b) =>
        Number(b.split(".").pop()!.replace("json", "0")) -
        Number(a.split(".").pop()!.replace("json", "0"))
      );
      const records = [];
      for (const name of names) {
        const body = await Deno.readTextFile(`${pod.dir}/logs/${name}`);
        assertEquals(body.length <= 4096, true, `${name}: ${body.length} bytes`);
        records.push(...body.trimEnd().split("\n").map((line) => JSON.parse(line)));
      }
      deepStrictEqual(
        records.map((r) => r.log),
        [...Array.from({ length: 300 }, (_, i) => `${prefix} ${i}`), ...extra],
      );
      deepStrictEqual([...new Set(records.map((r) => r.stream))], [stream]);
      assertEquals(records.at(-1).partial ?? false, extra.length > 0);
    }
  },
);
