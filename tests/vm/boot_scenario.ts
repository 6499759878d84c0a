/** Builds a scenario's image with @weft/vm, boots it and judges the boot. */
import {
  bootImage,
  type BootPhase,
  type BootResult,
  bootTimeline,
  buildImage,
  type BuildOptions,
  type SerialLine,
  type StopKey,
  type VmImage,
} from "@weft/vm";
import type { Scenario } from "./scenarios.ts";
import { writePodDir } from "./scenarios.ts";
import { judgeBoot, type Verdict } from "./verdict.ts";

/** The VM tests' cache: kernel, image parts, images and pod directories. */
export const CACHE_DIR: string = new URL("../../.tools/vm", import.meta.url).pathname;

/**
 * Runs `boot` while holding the VM tests' lock (a file lock shared by every
 * test process): one TCG guest keeps a core busy, so the VM test files boot
 * one VM at a time and leave the other core to the rest of the suite.
 */
export async function oneVmAtATime<T>(boot: () => Promise<T>): Promise<T> {
  await Deno.mkdir(CACHE_DIR, { recursive: true });
  using lock = await Deno.open(`${CACHE_DIR}/boot.lock`, { create: true, write: true });
  await lock.lock(true);
  return await boot();
}

/** Options of {@linkcode bootScenario}. */
export interface BootScenarioOptions {
  /** The init to boot (bundled JavaScript). */
  init: string;
  /** Image layout and code cache. @default {the defaults of buildImage} */
  build?: Pick<BuildOptions, "root" | "codeCache">;
  /** QEMU machine type. @default {"pc"} */
  machine?: "pc" | "microvm";
  /** Seconds before QEMU is killed. @default {240} */
  timeoutSeconds?: number;
  /** Called with each serial line as it arrives. */
  onLine?: (line: SerialLine) => void;
  /** The host's 127.0.0.1 port forwarded to the pod's control API over TCP. */
  controlPort?: number;
  /** Aborting it asks the pod to stop gracefully. */
  stop?: AbortSignal;
  /** What `stop` presses. @default {"ctrl-alt-del"} */
  stopWith?: StopKey;
}

/** Everything one boot produced. */
export interface ScenarioRun {
  /** The judged outcome. */
  verdict: Verdict;
  /** The raw boot. */
  boot: BootResult;
  /** The image booted. */
  image: VmImage;
  /** When each boot phase showed. */
  timeline: BootPhase[];
  /** Path of the saved serial log. */
  logPath: string;
}

/** Writes the pod, builds (or reuses) its image, boots it and judges the boot. */
export async function bootScenario(
  scenario: Scenario,
  options: BootScenarioOptions,
): Promise<ScenarioRun> {
  const podFile = await writePodDir(`${CACHE_DIR}/pods`, scenario);
  const image = await buildImage(podFile, {
    cacheDir: CACHE_DIR,
    init: options.init,
    ...options.build,
  });
  const boot = await oneVmAtATime(() =>
    bootImage(image.dir, {
      machine: options.machine,
      net: scenario.net,
      append: scenario.append,
      controlPort: options.controlPort,
      stop: options.stop,
      stopWith: options.stopWith,
      timeoutSeconds: options.timeoutSeconds ?? 240,
      onLine: options.onLine,
    })
  );
  const logPath = `${CACHE_DIR}/last-${scenario.name}.log`;
  await Deno.writeTextFile(
    logPath,
    [`# append: ${boot.append}`, ...boot.lines.map((l) => `${l.ms} ${l.text}`), ""].join("\n"),
  );
  return {
    verdict: judgeBoot(boot, scenario.expect),
    boot,
    image,
    timeline: bootTimeline(boot.lines, boot.ms),
    logPath,
  };
}
