/**
 * Boots one VM scenario and prints the verdict and the boot timeline; exits
 * 0 only on PASS.
 *
 *     deno run -A tests/vm/run.ts [--scenario pod-crun|pod-runc|net-crun|net-cmdline-crun] [--root disk|initramfs]
 *       [--no-code-cache] [--machine pc|microvm] [--verbose]
 */
// deno-lint-ignore-file no-console
import { parseArgs } from "node:util";
import { formatTimeline } from "@weft/vm";
import { bootScenario } from "./boot_scenario.ts";
import { bundleInit } from "./init_bundle.ts";
import { machinePod, netPod } from "./scenarios.ts";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "pod-crun" },
    root: { type: "string", default: "disk" },
    "no-code-cache": { type: "boolean", default: false },
    machine: { type: "string", default: "pc" },
    timeout: { type: "string", default: "240" },
    verbose: { type: "boolean", default: false },
  },
});
const scenarios = {
  "pod-crun": machinePod("crun"),
  "pod-runc": machinePod("runc"),
  "net-crun": netPod(),
  "net-cmdline-crun": netPod("kernel-line"),
};
const scenario = scenarios[values.scenario as keyof typeof scenarios];
if (scenario === undefined) {
  console.error(
    `Invalid --scenario "${values.scenario}": expected ${Object.keys(scenarios).join(" or ")}`,
  );
  Deno.exit(2);
}
const result = await bootScenario(scenario, {
  init: await bundleInit(),
  build: { root: values.root as "disk" | "initramfs", codeCache: !values["no-code-cache"] },
  machine: values.machine as "pc" | "microvm",
  timeoutSeconds: Number(values.timeout),
  onLine: values.verbose ? (line) => console.log(`${line.ms} | ${line.text}`) : undefined,
});
const { verdict, boot, image } = result;
console.log(`image: ${image.dir} (${image.cached ? "cached" : `built in ${image.buildMs} ms`})`);
console.log(
  `boot: ${boot.ms} ms, QEMU exit status ${boot.vmmStatus}, serial log ${result.logPath}`,
);
console.log(`timeline (ms since QEMU started):\n${formatTimeline(result.timeline)}`);
console.log(verdict.message);
if (!verdict.pass && !values.verbose) {
  console.log("last serial lines:");
  for (const line of boot.lines.slice(-25)) console.log(`  ${line.ms} | ${line.text}`);
}
Deno.exit(verdict.pass ? 0 : 1);
