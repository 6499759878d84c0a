// A container id the runtime still holds when the init starts (left by an
// init that died) is deleted when its create is refused, and the container
// then runs as configured: the init asks the runtime nothing before it starts.
import { deepStrictEqual, ok as assert, strictEqual as assertEquals } from "node:assert/strict";
import { findBinary } from "@weft/runtime";
import { podTest, startInit } from "./_init_harness.ts";

podTest(
  "a container left in the runtime by an earlier init is deleted and created again",
  async ({ pod, runtime, mode }) => {
    const leftover = await pod.bundle("sleep 60");
    const job = await pod.bundle("exit 3");
    const binary = (await findBinary(runtime))!;
    // Not piped: the container's init would hold the pipe open until it exits.
    const created = await new Deno.Command(binary, {
      args: ["--root", pod.root, "create", "--bundle", leftover, "wi-left"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    assertEquals(created.code, 0);
    deepStrictEqual(await pod.rootEntries(), ["wi-left"]);
    const config = await pod.write(runtime, {
      containers: [{ id: "wi-left", bundle: job, restart: { policy: "never" } }],
    });
    await using init = startInit(config, mode);
    const { code, stderr } = await init.exited;
    assertEquals(code, 3, stderr);
    assert(stderr.includes("wi-left was left in the runtime: deleted, creating it again"), stderr);
    const status = (await pod.status())!.containers["wi-left"];
    assertEquals(status.restartCount, 0);
    assertEquals(status.error, null);
    deepStrictEqual(status.exits.map((exit) => exit.status), [3]);
    deepStrictEqual(await pod.rootEntries(), []);
  },
  // As PID 1 of its own PID namespace the init could not signal a process
  // created outside it, which `delete --force` of the leftover needs.
  { modes: ["child"] },
);
