/**
 * What one replayed call prints and returns. Files are named relative to the
 * recording directory given to {@linkcode createReplayBinary}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Recording } from "@weft/runtime/testing";
 *
 * // runc 1.1.5's answer to `state` of an unknown id: its stderr and exit code 1.
 * const notFound: Recording = { stderr: "state_not_found.stderr", code: 1 };
 * assert.equal(notFound.code, 1);
 * ```
 */
export interface Recording {
  /** File printed on stdout. @default {nothing} */
  stdout?: string;
  /** File printed on stderr. @default {nothing} */
  stderr?: string;
  /** File copied to the path that follows `--log` (the runtime's JSON log). @default {nothing} */
  log?: string;
  /** Exit code. @default {0} */
  code?: number;
}

/**
 * A stand-in runtime binary made by {@linkcode createReplayBinary}; `await using` removes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createReplayBinary, type ReplayBinary } from "@weft/runtime/testing";
 *
 * const dir = await Deno.makeTempDir();
 * {
 *   await using replay: ReplayBinary = await createReplayBinary(dir, { code: 0 });
 *   assert.ok(replay.env.REPLAY_CODE === "0" && (await replay.argv()) === "");
 * }
 * await Deno.remove(dir);
 * ```
 */
export interface ReplayBinary extends AsyncDisposable {
  /** Path of the executable: the runtime's `binary` option. */
  readonly binary: string;
  /** The environment that selects the recording: the runtime's `env` option. */
  readonly env: Record<string, string>;
  /**
   * The command line of the last call, its arguments joined by spaces, with
   * the per-call log path replaced by `LOG`; `""` when it never ran.
   */
  argv(): Promise<string>;
  /** Removes the binary and what it recorded. */
  remove(): Promise<void>;
}

// The script only reads its environment, so one copy serves every recording.
const SCRIPT = `#!/bin/sh
# Replays what a real runtime binary printed for one call.
log=""
prev=""
for arg in "$@"; do
  [ "$prev" = "--log" ] && log="$arg"
  prev="$arg"
done
[ -n "\${REPLAY_ARGV:-}" ] && printf '%s\\n' "$*" > "$REPLAY_ARGV"
[ -n "\${REPLAY_STDOUT:-}" ] && cat "$REPLAY_STDOUT"
[ -n "\${REPLAY_STDERR:-}" ] && cat "$REPLAY_STDERR" >&2
[ -n "\${REPLAY_LOG:-}" ] && [ -n "$log" ] && cat "$REPLAY_LOG" > "$log"
exit "\${REPLAY_CODE:-0}"
`;

/**
 * Makes a runtime binary that replays output recorded from a real one, so
 * that a plugin's parsing is pinned for versions not installed where the
 * tests run, and its argv can be checked. A fault a real binary cannot
 * produce (a hang, garbage) belongs in a fake of its own, not here.
 *
 * @param recordings The directory holding the recorded files.
 * @param recording What each call prints and returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OciCliRuntime } from "@weft/runtime";
 * import { createReplayBinary } from "@weft/runtime/testing";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/state.stdout`, '{"id":"web","status":"running","pid":42}');
 * await using replay = await createReplayBinary(dir, { stdout: "state.stdout" });
 * const runtime = new OciCliRuntime({ name: "mine", binary: replay.binary, env: replay.env, root: "/r" });
 * assert.equal((await runtime.state("web")).pid, 42);
 * assert.ok((await replay.argv()).endsWith("state web"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function createReplayBinary(
  recordings: string | URL,
  recording: Recording = {},
): Promise<ReplayBinary> {
  const base = typeof recordings === "string" ? recordings : recordings.pathname;
  const file = (name: string) => `${base.replace(/\/+$/, "")}/${name}`;
  const dir = await Deno.makeTempDir({ prefix: "weft-replay-" });
  const binary = `${dir}/replay.sh`;
  const record = `${dir}/argv`;
  await Deno.writeTextFile(binary, SCRIPT, { mode: 0o755 });
  const env: Record<string, string> = {
    REPLAY_ARGV: record,
    REPLAY_CODE: `${recording.code ?? 0}`,
  };
  if (recording.stdout) env.REPLAY_STDOUT = file(recording.stdout);
  if (recording.stderr) env.REPLAY_STDERR = file(recording.stderr);
  if (recording.log) env.REPLAY_LOG = file(recording.log);
  const remove = () => Deno.remove(dir, { recursive: true });
  return {
    binary,
    env,
    async argv(): Promise<string> {
      const text = await Deno.readTextFile(record).catch((error) => {
        if (error instanceof Deno.errors.NotFound) return "";
        throw error;
      });
      return text.trim().replace(/--log \S+/, "--log LOG");
    },
    remove,
    [Symbol.asyncDispose]: remove,
  };
}
