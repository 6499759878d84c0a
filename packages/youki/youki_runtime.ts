import { getLogger } from "@logtape/logtape";
import {
  type CallOptions,
  type ContainerState,
  type ContainerSummary,
  type CreateOptions,
  InvalidArgumentError,
  type KillOptions,
  ociCliOptionsFrom,
  OciCliRuntime,
  type OciRuntimeOptions,
  parseSignal,
  RuntimeCommandError,
  type Signal,
} from "@weft/runtime";
import { checkYoukiOptions } from "./_options.ts";
import { parseYoukiList } from "./list_table.ts";

const logger = getLogger(["weft", "youki"]);

/**
 * The highest signal number youki's `kill` accepts: it knows no real-time signals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { YOUKI_MAX_SIGNAL } from "@weft/youki";
 * import { parseSignal } from "@weft/runtime";
 *
 * assert.ok(parseSignal("SIGTERM").number <= YOUKI_MAX_SIGNAL);
 * ```
 */
export const YOUKI_MAX_SIGNAL = 31;

/**
 * Options of {@linkcode YoukiRuntime}, mapped onto youki's global flags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { YoukiOptions } from "@weft/youki";
 *
 * const options: YoukiOptions = { root: "/run/weft/youki", rootless: "auto", timeout: 10_000 };
 * assert.equal(options.rootless, "auto");
 * ```
 */
export interface YoukiOptions extends OciRuntimeOptions {
  /**
   * youki has no `--rootless` flag: it runs rootless when started by a
   * non-root user (or with `YOUKI_USE_ROOTLESS=true` in its environment).
   * Only `"auto"` (what youki does anyway) is accepted; `true` or `false`
   * throw rather than being silently ignored.
   * @default {"auto"}
   */
  rootless?: "auto";
}

/**
 * The {@linkcode Runtime} for youki (https://github.com/youki-dev/youki),
 * on top of the shared runc-compatible driver, with what youki does
 * differently handled here:
 *
 * - no `--rootless` global flag: asking for one throws before anything runs;
 * - `kill` takes only signals 1-31, sent by name (youki maps the numbers 5
 *   and 7 to the wrong signals); real-time signals throw before anything runs;
 * - `state` may say `creating` and keeps the old pid of a stopped
 *   container: the pid is reported only while `created` or `running`;
 * - `list --format json` is ignored, so {@linkcode YoukiRuntime.list}
 *   parses the table;
 * - `--no-new-keyring` is accepted but not acted on by youki: a warning is
 *   logged.
 *
 * @example
 * ```ts ignore
 * import { YoukiRuntime } from "@weft/youki";
 *
 * const youki = new YoukiRuntime({ root: "/run/weft/youki" });
 * await youki.create("web", "/srv/bundles/web");
 * await youki.start("web");
 * await youki.kill("web", "TERM");
 * ```
 */
export class YoukiRuntime extends OciCliRuntime {
  /** Creates the runtime; nothing runs until a call. */
  constructor(options: YoukiOptions = {}) {
    checkYoukiOptions(options as Record<string, unknown>);
    super(ociCliOptionsFrom("youki", options, [
      ...(options.systemdCgroup ? ["--systemd-cgroup"] : []),
      ...(options.extraGlobalArgs ?? []),
    ]));
  }

  /** The `create` options, with a warning for the one youki ignores. */
  protected override createArgs(options: CreateOptions): string[] {
    if (options.noNewKeyring) {
      logger.warn(
        "youki accepts --no-new-keyring but does not act on it: the container may get a new session keyring",
      );
    }
    return super.createArgs(options);
  }

  /**
   * Sends a standard signal (1-31). Real-time signals are refused here,
   * before youki runs, because youki refuses them ("invalid signal").
   */
  override async kill(
    id: string,
    signal: string | number,
    options: KillOptions = {},
  ): Promise<void> {
    const parsed = parseSignal(signal);
    if (parsed.number > YOUKI_MAX_SIGNAL) {
      throw new InvalidArgumentError(
        `Invalid signal ${
          JSON.stringify(signal)
        } for youki: youki sends only standard signals 1-${YOUKI_MAX_SIGNAL} (by number or name), not real-time signals such as ${parsed.name}`,
        { argument: "signal", value: signal },
      );
    }
    await super.kill(id, signal, options);
  }

  /**
   * The signal's name (`SIGTERM`): youki reads names right, while its number
   * table swaps 5 and 7 (it reads `5` as SIGBUS and `7` as SIGTRAP).
   */
  protected override signalArg(signal: Signal): string {
    return signal.name;
  }

  /** youki's `state`, with the pid kept only while `created` or `running`. */
  protected override parseState(stdout: string, argv: readonly string[]): ContainerState {
    const state = super.parseState(stdout, argv);
    // youki keeps the pid of a stopped container; a creating one has no
    // process a caller may use yet (Runtime.state: pid only when created or running).
    if (state.status !== "created" && state.status !== "running") state.pid = 0;
    return state;
  }

  /**
   * Lists the containers of the state root. youki ignores `list --format
   * json` and always prints a table: this parses it.
   */
  override async list(options: CallOptions = {}): Promise<ContainerSummary[]> {
    const result = await this.cli.run(["list"], options);
    if (!result.success) {
      const runtimeMessage = result.message || "(the runtime printed no message)";
      throw new RuntimeCommandError(
        `Cannot list the containers of ${this.name}: ${this.name} exited with code ${result.code}: ${runtimeMessage}`,
        { argv: result.argv, code: result.code, runtimeMessage },
      );
    }
    return parseYoukiList(result.stdout, { argv: result.argv });
  }
}
