import { runConformance } from "@weft/runtime/testing";
import { requireBinary } from "@weft/runtime/testing";
import { runcPlugin, RuncRuntime } from "@weft/runc";

const runc = await requireBinary("runc");
const busybox = await requireBinary("busybox");

Deno.test({
  name: "runc passes the runtime conformance suite",
  ignore: runc === undefined || busybox === undefined,
  async fn(t): Promise<void> {
    await runConformance(t, {
      makeRuntime: (root) => new RuncRuntime({ root }),
      idPrefix: "crunrunc-runc",
      plugin: runcPlugin,
    });
  },
});
