/**
 * Boots one VM scenario and prints the verdict; exits 0 only on PASS.
 *
 *     deno run -A tests/vm/run.ts [--init bundle|stand-in] [--scenario NAME] [--verbose]
 *
 * `--init bundle` (the default) boots dist/weft-init.js made by
 * `deno task bundle`, scenarios pod-crun (default), pod-runc and broken;
 * `--init stand-in` boots tests/vm/fixtures/stand_in_init.js, a minimal PID 1
 * that checks the image and boot pipeline without weft-init, scenarios
 * stand-in and stand-in-broken.
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { bootScenario } from "./boot_scenario.ts";
import { bundleInit } from "./init_bundle.ts";
import { bundleImage, standInImage } from "./scenarios.ts";

const { values } = parseArgs({
  options: {
    init: { type: "string", default: "bundle" },
    scenario: { type: "string" },
    timeout: { type: "string", default: "60" },
    verbose: { type: "boolean", default: false },
  },
});
const images = {
  bundle: async () => bundleImage(await bundleInit()),
  "stand-in": () => Promise.resolve(standInImage()),
};
const makeImage = images[values.init as keyof typeof images];
if (makeImage === undefined) {
  console.error(`Invalid --init "${values.init}": expected ${Object.keys(images).join(" or ")}`);
  Deno.exit(2);
}
const image = await makeImage();
const name = values.scenario ?? Object.keys(image.scenarios)[0];
const result = await bootScenario(image, name, {
  timeoutSeconds: Number(values.timeout),
  onLine: values.verbose ? (line) => console.log(`${line.ms} | ${line.text}`) : undefined,
});
const { verdict, boot, initramfs } = result;
console.log(
  `initramfs: ${initramfs.path} (${
    initramfs.cached ? "cached" : `built in ${initramfs.buildMs} ms`
  })`,
);
console.log(`boot: ${boot.ms} ms, QEMU exit status ${boot.code}, serial log ${result.logPath}`);
console.log(`boot to first container running: ${result.firstRunningMs ?? "never"} ms`);
console.log(verdict.message);
if (!verdict.pass && !values.verbose) {
  console.log("last serial lines:");
  for (const line of boot.lines.slice(-25)) console.log(`  ${line.ms} | ${line.text}`);
}
Deno.exit(verdict.pass ? 0 : 1);
