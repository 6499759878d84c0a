// Runtime errors the real binaries cannot be made to produce on demand: a
// runtime call that hangs. A wrapper script runs the real runc for every
// call except the launch of one container (`run`, as weft-init creates and
// starts in one call), where it hangs. The hang is cut by
// runtime.callTimeout, reported with the container, and leaves no state.
import { deepStrictEqual, match, strictEqual as assertEquals } from "node:assert/strict";
import { findBinary } from "@weft/runtime";
import { podTest, startInit, waitForStatus } from "./_init_harness.ts";

podTest(
  "a runtime call that hangs is cut at the call timeout and reported, and the others run",
  async ({ pod, mode }) => {
    const runc = (await findBinary("runc"))!;
    const wrapper = `${pod.dir}/runc-hangs`;
    await Deno.writeTextFile(
      wrapper,
      `#!/bin/sh\ncase " $* " in *" run "*" wi-hang "*) echo hanging >&2; exec sleep 3600;; esac\nexec ${runc} "$@"\n`,
    );
    await Deno.chmod(wrapper, 0o755);
    const service = "trap 'exit 0' TERM; while :; do sleep 0.05; done";
    const config = await pod.write("runc", {
      runtime: { binary: wrapper, callTimeout: 500 },
      containers: [
        { id: "wi-hang", bundle: await pod.bundle(service), restart: { policy: "never" } },
        { id: "wi-fine", bundle: await pod.bundle(service) },
      ],
    });
    await using init = startInit(config, mode);
    const status = await waitForStatus(
      pod,
      (s) =>
        s.containers["wi-hang"].state === "failed" && s.containers["wi-fine"].state === "running",
    );
    match(
      status.containers["wi-hang"].error ?? "",
      /^Runtime call "runc run --detach --bundle \/.* --pid-file \/.*\/wi-hang\.pid wi-hang" timed out after 500 ms$/,
    );
    await init.kill("SIGTERM");
    const { code } = await init.exited;
    assertEquals(code, 125);
    deepStrictEqual(await pod.rootEntries(), [], "nothing is left in the state root");
  },
  { runtimes: ["runc"] },
);
