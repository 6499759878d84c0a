import { InvalidArgumentError } from "./errors.ts";
import type { ExecOptions } from "./capabilities.ts";

function invalid(argument: string, value: unknown, expected: string): never {
  throw new InvalidArgumentError(
    `Invalid ${argument} ${JSON.stringify(value)}: expected ${expected}`,
    { argument, value },
  );
}

/** Checks the arguments of `exec` before anything runs. */
export function checkExecArgs(args: unknown, options: ExecOptions): void {
  if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === "string")) {
    invalid("args", args, "a non-empty array of strings");
  }
  const { env, cwd } = options;
  if (
    env !== undefined &&
    (!Array.isArray(env) || !env.every((e) => typeof e === "string" && /^[^=]+=/.test(e)))
  ) {
    invalid("options.env", env, 'an array of "NAME=value" strings');
  }
  if (cwd !== undefined && (typeof cwd !== "string" || !cwd.startsWith("/"))) {
    invalid("options.cwd", cwd, "an absolute path");
  }
}

/**
 * The process spec given to `exec --process`: the container's own
 * `process` from its bundle (user, capabilities, rlimits, env), with the new
 * argv, extra env and cwd. Passing a whole spec, rather than `--env`/`--cwd`
 * flags, is what makes runc and crun agree: crun 1.8.1's `--env` replaces
 * the environment (PATH included), runc's adds to it.
 */
export async function execProcessSpec(
  bundle: string,
  args: readonly string[],
  options: ExecOptions,
): Promise<Record<string, unknown>> {
  const config = JSON.parse(await Deno.readTextFile(`${bundle}/config.json`));
  const base = (config?.process ?? {}) as Record<string, unknown>;
  const baseEnv = Array.isArray(base.env) ? base.env as string[] : [];
  return {
    ...base,
    terminal: false,
    args: [...args],
    env: [...baseEnv, ...(options.env ?? [])],
    cwd: options.cwd ?? base.cwd ?? "/",
  };
}
