// Small helpers for running the image tools (argv only, never a shell).
import { findBinary } from "@weft/runtime";

/** Options of {@linkcode run}. */
export interface RunOptions {
  /** Working directory. @default {the current one} */
  cwd?: string;
  /** Writes stdout to this file instead of returning it. */
  stdoutFile?: string;
  /** Bytes written to stdin. @default {nothing (stdin is /dev/null)} */
  stdin?: Uint8Array;
  /** Extra environment variables. @default {{}} */
  env?: Record<string, string>;
}

/**
 * Runs a command (argv, no shell) and returns its stdout; a non-zero exit
 * throws with the command and its stderr.
 */
export async function run(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
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

/** Whether `path` exists (without following a dangling symlink's absence as an error). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** The path of an executable `name` in PATH; throws naming `what` needs it. */
export async function which(name: string, what: string): Promise<string> {
  const found = await findBinary(name);
  if (found === undefined) throw new Error(`Cannot ${what}: "${name}" is not in PATH`);
  return found;
}

/** Whether `bytes` begin with the ELF magic number (a kernel, a compiled init). */
export function hasElfMagic(bytes: Uint8Array): boolean {
  return bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

/** SHA-256 of `data` (a string as UTF-8), hex. */
export async function sha256(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** `path` made absolute against the working directory. */
export function absolute(path: string): string {
  return path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
}
