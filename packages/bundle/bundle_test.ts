import assert from "node:assert/strict";
import { configSchemaErrors } from "./_oci_schema_test_utils.ts";
import { bundleDirFor, ContainerSpecError, removeBundle, writeBundle } from "./mod.ts";

async function tempDirs(): Promise<{ run: string; rootfs: string } & AsyncDisposable> {
  const run = await Deno.makeTempDir({ prefix: "weft-bundle-run-" });
  const rootfs = await Deno.makeTempDir({ prefix: "weft-bundle-rootfs-" });
  await Deno.writeTextFile(`${rootfs}/keep`, "the rootfs is never copied nor removed");
  return {
    run,
    rootfs,
    [Symbol.asyncDispose]: async () => {
      await Deno.remove(run, { recursive: true });
      await Deno.remove(rootfs, { recursive: true });
    },
  };
}

Deno.test("a bundle is config.json alone in the container's directory under the run directory", async () => {
  await using dirs = await tempDirs();
  const dir = bundleDirFor(dirs.run, "web");
  assert.equal(dir, `${dirs.run}/bundles/web`);
  const bundle = await writeBundle(dir, { rootfs: dirs.rootfs, process: { args: ["sh"] } }, {
    id: "web",
  });
  assert.equal(bundle.dir, dir);
  const entries = [];
  for await (const entry of Deno.readDir(dir)) entries.push(entry.name);
  assert.deepEqual(entries, ["config.json"]);
  const written = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
  assert.deepEqual(written, bundle.config);
  assert.equal(written.root.path, dirs.rootfs);
  assert.equal(written.hostname, "web");
  assert.deepEqual(await configSchemaErrors(written), []);
  assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);

  await bundle.remove();
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
  assert.ok((await Deno.stat(`${dirs.rootfs}/keep`)).isFile);
  await removeBundle(dir); // Already gone: not an error.
});

Deno.test("await using removes the bundle", async () => {
  await using dirs = await tempDirs();
  const dir = bundleDirFor(dirs.run, "tmp-1");
  {
    await using _bundle = await writeBundle(dir, {
      rootfs: dirs.rootfs,
      process: { args: ["true"] },
    });
    assert.ok((await Deno.stat(`${dir}/config.json`)).isFile);
  }
  await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
});

Deno.test("a bad spec leaves nothing on disk", async () => {
  await using dirs = await tempDirs();
  const dir = bundleDirFor(dirs.run, "bad");
  await assert.rejects(
    writeBundle(dir, { rootfs: dirs.rootfs, process: { args: ["sh"], user: "ghost" } }),
    ContainerSpecError,
  );
  await assert.rejects(Deno.stat(`${dirs.run}/bundles`), Deno.errors.NotFound);
});

Deno.test("removing a bundle never deletes files it did not write", async () => {
  await using dirs = await tempDirs();
  const dir = bundleDirFor(dirs.run, "web");
  await writeBundle(dir, { rootfs: dirs.rootfs, process: { args: ["sh"] } });
  await Deno.writeTextFile(`${dir}/precious`, "not ours");
  await assert.rejects(removeBundle(dir));
  assert.ok((await Deno.stat(`${dir}/precious`)).isFile);
});

Deno.test("bad run directories, ids and bundle directories are refused", async () => {
  assert.throws(() => bundleDirFor("run", "web"), (error) => {
    assert.ok(error instanceof ContainerSpecError);
    assert.equal(error.field, "runDir");
    return true;
  });
  assert.throws(() => bundleDirFor("/run/weft", "../etc"), /Invalid container id/);
  await assert.rejects(writeBundle("bundles/web", { rootfs: "/" }), /Invalid dir "bundles\/web"/);
});
