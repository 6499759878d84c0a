import { runConformance } from "@weft/runtime/testing";
import { requireBinary } from "@weft/runtime/testing";
import { crunPlugin, CrunRuntime } from "@weft/crun";
import { delegateToCgroup2Namespace } from "./_cgroup2.ts";

const delegated = await delegateToCgroup2Namespace(import.meta.url);

const crun = await requireBinary("crun");
const busybox = await requireBinary("busybox");

Deno.test({
  name: "crun passes the runtime conformance suite",
  ignore: delegated || crun === undefined || busybox === undefined,
  async fn(t): Promise<void> {
    await runConformance(t, {
      makeRuntime: (root) => new CrunRuntime({ root }),
      idPrefix: "crunrunc-crun",
      plugin: crunPlugin,
    });
  },
});
