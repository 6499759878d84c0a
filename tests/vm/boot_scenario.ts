/** Builds the image of a scenario, boots it and judges the boot. */
import { type BootResult, bootVm, type SerialLine } from "./boot.ts";
import { buildInitramfs, type Initramfs } from "./initramfs.ts";
import { defaultCacheDir, ensureKernel } from "./kernel.ts";
import type { Image } from "./scenarios.ts";
import { judgeBoot, type Verdict } from "./verdict.ts";

/** Options of {@linkcode bootScenario}. */
export interface BootScenarioOptions {
  /** Kernel and archive cache. @default {"<repo>/.tools/vm"} */
  cacheDir?: string;
  /** Seconds before QEMU is killed. @default {60} */
  timeoutSeconds?: number;
  /** Called with each serial line as it arrives. */
  onLine?: (line: SerialLine) => void;
}

/** Everything one boot produced. */
export interface ScenarioRun {
  /** The judged outcome. */
  verdict: Verdict;
  /** The raw boot. */
  boot: BootResult;
  /** The archive booted. */
  initramfs: Initramfs;
  /** Milliseconds from QEMU's start to the scenario's first-running line, if it appeared. */
  firstRunningMs?: number;
  /** Path of the saved serial log. */
  logPath: string;
}

/** Builds (or reuses) the image, boots the named scenario and judges it. */
export async function bootScenario(
  image: Image,
  name: string,
  options: BootScenarioOptions = {},
): Promise<ScenarioRun> {
  const scenario = image.scenarios[name];
  if (scenario === undefined) {
    throw new TypeError(
      `Unknown VM scenario "${name}": expected one of ${Object.keys(image.scenarios).join(", ")}`,
    );
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const kernel = await ensureKernel({ cacheDir });
  const initramfs = await buildInitramfs(image.spec, { cacheDir });
  const boot = await bootVm({
    kernel,
    initrd: initramfs.path,
    initArgs: scenario.initArgs,
    timeoutSeconds: options.timeoutSeconds,
    onLine: options.onLine,
  });
  const logPath = `${cacheDir}/last-${name}.log`;
  await Deno.writeTextFile(
    logPath,
    [`# append: ${boot.append}`, ...boot.lines.map((l) => `${l.ms} ${l.text}`), ""].join("\n"),
  );
  const want = scenario.firstRunning;
  const first = want === undefined
    ? undefined
    : boot.lines.find((l) => typeof want === "string" ? l.text.includes(want) : want.test(l.text));
  return {
    verdict: judgeBoot(boot, scenario.expect),
    boot,
    initramfs,
    firstRunningMs: first?.ms,
    logPath,
  };
}
