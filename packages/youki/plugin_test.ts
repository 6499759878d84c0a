import assert from "node:assert/strict";
import { getRuntimePlugin, NoRuntimeAvailableError, selectRuntime } from "@weft/runtime";
import { YOUKI_BINARY_ENV, youkiPlugin, YoukiRuntime } from "./mod.ts";

const FAKE = new URL("./testdata/recording_fake.sh", import.meta.url).pathname;

Deno.test("importing @weft/youki registers the youki plugin", () => {
  assert.equal(getRuntimePlugin("youki"), youkiPlugin);
  assert.equal(youkiPlugin.apiVersion, 1);
});

Deno.test("youki is unavailable, saying why, when its binary is missing", async () => {
  const detection = await youkiPlugin.detect({ binary: "/nonexistent/youki" });
  assert.deepEqual(detection, {
    available: false,
    reason: 'binary "/nonexistent/youki" not found (set WEFT_YOUKI or options.binary)',
  });
  await assert.rejects(
    selectRuntime("youki", { options: { binary: "/nonexistent/youki" } }),
    NoRuntimeAvailableError,
  );
});

Deno.test("the WEFT_YOUKI environment variable names the binary", async () => {
  const before = Deno.env.get(YOUKI_BINARY_ENV);
  Deno.env.set(YOUKI_BINARY_ENV, FAKE);
  try {
    assert.deepEqual(await youkiPlugin.detect(), { available: true, binary: FAKE });
    const runtime = await selectRuntime("youki");
    assert.ok(runtime instanceof YoukiRuntime);
    assert.equal(runtime.binary, FAKE);
  } finally {
    if (before === undefined) Deno.env.delete(YOUKI_BINARY_ENV);
    else Deno.env.set(YOUKI_BINARY_ENV, before);
  }
});

Deno.test("asking the plugin for rootless makes youki unavailable with the reason", async () => {
  const detection = await youkiPlugin.detect({ binary: FAKE, rootless: true });
  assert.equal(detection.available, false);
  assert.match(detection.reason ?? "", /youki has no --rootless flag/);
  assert.throws(() => youkiPlugin.create({ binary: FAKE, rootless: true }), TypeError);
  const bad = await youkiPlugin.detect({ root: "relative" });
  assert.equal(bad.available, false);
  assert.match(bad.reason ?? "", /^Invalid option root "relative": expected an absolute path/);
});
