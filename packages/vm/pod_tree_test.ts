import assert from "node:assert/strict";
import { PodImageError, readPodTree, stagePod } from "./pod_tree.ts";

async function podDir(pod: unknown): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "weft-vm-pod-" });
  await Deno.mkdir(`${dir}/bundles/web/rootfs`, { recursive: true });
  await Deno.writeTextFile(`${dir}/bundles/web/config.json`, "{}");
  await Deno.writeTextFile(`${dir}/pod.json`, JSON.stringify(pod));
  return dir;
}

Deno.test("a pod's named paths are copied under /pod with the runtime fields the image sets", async () => {
  const dir = await podDir({ containers: [{ id: "web", bundle: "bundles/web" }] });
  try {
    const pod = await readPodTree(`${dir}/pod.json`, { runtime: "runc", noPivot: true });
    assert.deepEqual(pod.paths, ["bundles/web"]);
    assert.deepEqual(JSON.parse(pod.text).runtime, { name: "runc", noPivot: true });
    const same = await readPodTree(`${dir}/pod.json`, { runtime: "runc", noPivot: true });
    assert.equal(same.key, pod.key);
    await Deno.writeTextFile(`${dir}/bundles/web/config.json`, "{ }");
    assert.notEqual((await readPodTree(`${dir}/pod.json`, { runtime: "runc" })).key, pod.key);
    const inVm = await stagePod(`${dir}/staged`, pod);
    assert.equal(inVm, "/pod/pod.json");
    assert.equal(await Deno.readTextFile(`${dir}/staged/bundles/web/config.json`), "{ }");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a path outside the pod file's directory is refused, naming the field", async () => {
  const dir = await podDir({ containers: [{ id: "web", bundle: "/srv/elsewhere" }] });
  try {
    await assert.rejects(
      readPodTree(`${dir}/pod.json`),
      (error: Error) =>
        error instanceof PodImageError &&
        /^containers\[0\]\.bundle: "\/srv\/elsewhere" is outside the pod file's directory/.test(
          error.message,
        ),
    );
    await Deno.writeTextFile(`${dir}/pod.json`, '{"containers": [{"id": "web", "bundel": "x"}]}');
    await assert.rejects(readPodTree(`${dir}/pod.json`), { name: "ConfigError" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
