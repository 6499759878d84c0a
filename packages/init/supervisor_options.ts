import type { Runtime } from "@weft/runtime";
import type { Clock } from "./clock.ts";
import type { OpenContainerStdioOptions } from "./container_stdio.ts";
import type { ExitWatcher, PodStatus } from "./pod_status.ts";

/**
 * Options of {@linkcode Supervisor}.
 *
 * @example
 * ```ts ignore
 * import { chooseRuntime, loadConfig, Reaper, Supervisor, type SupervisorOptions } from "@weft/init";
 * import "@weft/crun";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * using reaper = Reaper.start();
 * const options: SupervisorOptions = { runtime: (await chooseRuntime(config)).runtime, reaper };
 * await new Supervisor(config, options).run();
 * ```
 */
export interface SupervisorOptions {
  /** The runtime that runs the containers; it owns its state root. */
  runtime: Runtime;
  /** Where container exits come from. */
  reaper: ExitWatcher;
  /** A private directory for pid files and generated bundles. @default {a new temporary directory} */
  runDir?: string;
  /** Where console output goes (for tests). @default {Deno.stdout and Deno.stderr} */
  console?: OpenContainerStdioOptions;
  /**
   * Timers and the time (a fake one in tests); its `monotonic()` must be on
   * the timeline of the reaper's `reapedAt` (`performance.now()` for the
   * real reaper). @default {systemClock}
   */
  clock?: Clock;
  /** Sends SIGKILL to a container's init by pid (a no-op with a fake runtime). @default {Deno.kill(pid, "SIGKILL")} */
  killPid?: (pid: number) => void;
  /**
   * How many containers may be between `create` and the end of `start` at
   * once; the others wait their turn, in start order. No bound by default:
   * on two cores a bound of 4 started 50 containers no sooner (see the
   * benchmark in the README); a machine where the runtimes contend may differ.
   * @default {Infinity}
   */
  maxParallelStarts?: number;
}

/**
 * The end of a pod.
 *
 * @example
 * ```ts ignore
 * import { chooseRuntime, loadConfig, type PodResult, Reaper, Supervisor } from "@weft/init";
 * import "@weft/crun";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * using reaper = Reaper.start();
 * const { runtime } = await chooseRuntime(config);
 * const result: PodResult = await new Supervisor(config, { runtime, reaper }).run();
 * console.log(result.exitCode, result.status.pod.stopReason);
 * ```
 */
export interface PodResult {
  /** The pod's exit code, decided by `pod.exitCode`. */
  exitCode: number;
  /** The final status, as last written to the status file. */
  status: PodStatus;
}
