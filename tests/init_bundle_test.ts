// The single-file bundle (`deno task bundle`) is what images carry: it must
// hold the built-in runtimes and run a pod as the source does, built and run
// with the options images use (run_options.ts).
import { ok as assert, strictEqual as assertEquals } from "node:assert/strict";
import { INIT_BUNDLE_OPTIONS, initRunOptions } from "@weft/init/run-options";
import { label, missing, MODES, PodDir, startInit } from "./_init_harness.ts";

const MAIN = new URL("../packages/init/main.ts", import.meta.url).pathname;

for (const mode of MODES) {
  Deno.test({
    name: `the bundled weft-init runs a pod on runc and on crun ${label("runc", mode)}`,
    ignore: missing("runc", mode) || missing("crun", mode),
    async fn(): Promise<void> {
      await using pod = await PodDir.create();
      const bundled = `${pod.dir}/weft-init.js`;
      const build = await new Deno.Command(Deno.execPath(), {
        args: ["bundle", ...INIT_BUNDLE_OPTIONS, "--output", bundled, MAIN],
        stdout: "null",
        stderr: "piped",
      }).output();
      assertEquals(build.code, 0, new TextDecoder().decode(build.stderr));
      // Nothing, node:util included: loading it would load Deno's Node layer first.
      const imports = (await Deno.readTextFile(bundled)).split("\n")
        .filter((line) => line.startsWith("import "));
      assertEquals(imports.length, 0, imports.join("\n"));
      for (const runtime of ["runc", "crun"]) {
        const config = await pod.write(runtime, {
          containers: [{
            id: "wi-bundled",
            bundle: await pod.bundle("echo from the bundle; exit 4"),
            restart: { policy: "never" },
          }],
          pod: { exitCode: { from: "container", id: "wi-bundled" } },
        });
        await using init = startInit(config, mode, {
          main: bundled,
          runOptions: initRunOptions(),
        });
        const { code, stdout, stderr } = await init.exited;
        assertEquals(code, 4, stderr);
        assert(stdout.startsWith("[wi-bundled] from the bundle\n"), stdout);
        assertEquals((await pod.status())!.pod.runtime, runtime);
      }
    },
  });
}
