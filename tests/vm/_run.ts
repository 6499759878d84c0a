/** Options of {@linkcode run}. */
export interface RunOptions {
  /** Working directory. @default {the current one} */
  cwd?: string;
  /** Writes stdout to this file instead of returning it. */
  stdoutFile?: string;
  /** Bytes written to stdin. @default {nothing (stdin is /dev/null)} */
  stdin?: Uint8Array;
}

/**
 * Runs a command (argv, no shell) and returns its stdout; a non-zero exit
 * throws with the command and its stderr.
 */
export async function run(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdinDone = options.stdin === undefined ? Promise.resolve() : (async () => {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin);
    await writer.close();
  })();
  let stdout = "";
  const stdoutDone = options.stdoutFile === undefined
    ? new Response(child.stdout).text().then((text) => void (stdout = text))
    : Deno.open(options.stdoutFile, { write: true, create: true, truncate: true })
      .then((file) => child.stdout.pipeTo(file.writable));
  const stderr = new Response(child.stderr).text();
  const [status] = await Promise.all([child.status, stdinDone, stdoutDone]);
  if (!status.success) {
    throw new Error(
      `Command "${[cmd, ...args].join(" ")}" exited with code ${status.code}: ${
        (await stderr).trim()
      }`,
    );
  }
  return stdout;
}
