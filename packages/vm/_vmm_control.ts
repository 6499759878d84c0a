// Talking to a running VMM over the Unix socket it serves: QEMU's human
// monitor, Firecracker's and cloud-hypervisor's HTTP APIs.
import { concatBytes, writeAll } from "@weft/runtime";

/** What the calls below use of a connection (a fake in tests). */
export type VmmConn = Pick<Deno.Conn, "read" | "write">;

/**
 * Connects to `path`, retrying while the VMM has not made the socket yet;
 * `undefined` once `done` (the VMM's exit) has settled first.
 */
export async function connectWhileRunning(
  path: string,
  done: Promise<unknown>,
): Promise<Deno.UnixConn | undefined> {
  let finished = false;
  done.finally(() => (finished = true));
  while (!finished) {
    try {
      return await Deno.connect({ transport: "unix", path });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return undefined;
}

/** Reads from `conn` until `enough` says the text so far is complete, or EOF. */
async function readUntil(conn: VmmConn, enough: (seen: string) => boolean): Promise<string> {
  let seen = "";
  const buffer = new Uint8Array(4096);
  const decoder = new TextDecoder();
  while (!enough(seen)) {
    const n = await conn.read(buffer);
    if (n === null) break;
    seen += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return seen;
}

/**
 * Runs one command on QEMU's human monitor and waits for the next prompt,
 * which comes once the command has been done (closing earlier drops it).
 */
export async function monitorCommand(conn: VmmConn, command: string): Promise<void> {
  // A socket may take part of a write: the rest must follow, or the VMM waits for it forever.
  await writeAll(conn, new TextEncoder().encode(`${command}\n`));
  // The banner's prompt, then the prompt after the command.
  await readUntil(conn, (seen) => seen.split("(qemu)").length >= 3);
}

/** One HTTP request to a VMM's API. */
export interface ApiRequest {
  method: "PUT";
  path: string;
  body: string;
}

/**
 * Sends `request` over `conn` as HTTP/1.1 and returns the response's status
 * code; the VMMs' APIs answer 204 when an action was done.
 */
export async function apiRequest(conn: VmmConn, request: ApiRequest): Promise<number> {
  const body = new TextEncoder().encode(request.body);
  const head = [
    `${request.method} ${request.path} HTTP/1.1`,
    "Host: localhost",
    "Accept: application/json",
    ...(body.length > 0 ? ["Content-Type: application/json"] : []),
    `Content-Length: ${body.length}`,
    "",
    "",
  ].join("\r\n");
  await writeAll(conn, concatBytes([new TextEncoder().encode(head), body]));
  const response = await readUntil(conn, (seen) => seen.includes("\r\n"));
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  if (status === null) {
    throw new Error(`Unexpected answer from the VMM's API: ${JSON.stringify(response)}`);
  }
  return Number(status[1]);
}
