/**
 * Builds the busybox bundles the example pod (pod.json) names, in
 * `bundles/<id>/` next to this file.
 *
 * Run: deno run -A examples/pod/build_bundles.ts
 *
 * @module
 */
import { createBusyboxBundle } from "@weft/runtime/testing";

const here = new URL(".", import.meta.url).pathname;

/** What each container runs: a database, a web job that ends, a ticking sidecar. */
const SCRIPTS: Record<string, string> = {
  "demo-db": "trap 'echo db: saving and stopping; exit 0' TERM; echo db: ready; " +
    "while :; do sleep 0.2; done",
  "demo-web":
    "echo web: serving 3 requests; for i in 1 2 3; do sleep 1; echo web: request $i done; " +
    "done; echo web: finished; exit 0",
  "demo-ticker": "trap 'exit 0' TERM; n=0; while :; do n=$((n+1)); echo tick $n; sleep 1; done",
};

await Deno.mkdir(`${here}bundles`, { recursive: true });
for (const [id, script] of Object.entries(SCRIPTS)) {
  const target = `${here}bundles/${id}`;
  await Deno.remove(target, { recursive: true }).catch(() => {});
  const bundle = await createBusyboxBundle({
    parent: `${here}bundles`,
    args: ["sh", "-c", script],
  });
  await Deno.rename(bundle.dir, target);
}
