import { getLogger } from "@logtape/logtape";
import type { ControlServer } from "./server.ts";

const logger = getLogger(["weft", "control"]);

/** Milliseconds a shutdown waits for answers in flight. */
const SHUTDOWN_GRACE = 2_000;

/**
 * Where the control endpoint listens.
 *
 * - `unix`: a Unix socket, mode 0600 (root only when the init runs as root).
 * - `vsock`: for a micro-VM's host (`cid` -1 = any; needs `--unstable-vsock`).
 * - `tcp`: for QEMU user networking (`restrict=on`, `hostfwd` to the host's
 *   127.0.0.1): there is no authentication, so give it only where the
 *   network is private to the host.
 *
 * @example
 * ```ts
 * import type { ControlTransport } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const where: ControlTransport = { transport: "unix", path: "/run/weft/control.sock" };
 * assert.ok(where.transport);
 * ```
 */
export type ControlTransport =
  | { transport: "unix"; path: string }
  | { transport: "vsock"; cid?: number; port: number }
  | { transport: "tcp"; hostname: string; port: number };

/**
 * A listening control endpoint.
 *
 * @example
 * ```ts ignore
 * import { ControlServer, listenControl, type ControlListener } from "@weft/control";
 *
 * const listener: ControlListener = await listenControl(server, { transport: "unix", path: "/run/weft/control.sock" });
 * await listener.shutdown();
 * ```
 */
export interface ControlListener {
  /** The address bound (for tcp with port 0, the port chosen). */
  readonly addr: Deno.Addr;
  /** Stops accepting, ends open streams, waits for answers in flight, removes a Unix socket. */
  shutdown(): Promise<void>;
}

/**
 * Thrown when a Unix socket path is taken by a live endpoint or by
 * something that is not a socket: the init refuses to start rather than
 * remove what another program owns.
 *
 * @example
 * ```ts
 * import { SocketPathError } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const error = new SocketPathError('"/run/weft/control.sock" is a regular file');
 * assert.equal(error.name, "SocketPathError");
 * ```
 */
export class SocketPathError extends Error {
  /** An error with `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SocketPathError";
  }
}

/**
 * Makes `path` free for a new socket: absent is fine; a socket nobody
 * answers on (left by a crashed init) is removed; a live socket or anything
 * else is refused.
 */
async function claimSocketPath(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  if (!info.isSocket) {
    throw new SocketPathError(`Cannot listen on "${path}": it exists and is not a socket`);
  }
  try {
    const conn = await Deno.connect({ transport: "unix", path });
    conn.close();
  } catch (error) {
    if (error instanceof Deno.errors.ConnectionRefused) {
      logger.info("Removing the stale control socket {path}", { path });
      await Deno.remove(path);
      return;
    }
    throw new SocketPathError(`Cannot listen on "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  throw new SocketPathError(`Cannot listen on "${path}": another process is listening there`);
}

/**
 * Serves `server` on `where`. A Unix socket is created with umask 0177, so
 * it is 0600 from its first moment, and removed at shutdown.
 *
 * @example
 * ```ts ignore
 * import { ControlServer, listenControl } from "@weft/control";
 *
 * const server = new ControlServer(supervisor, { version: "0.1.0" });
 * const listener = await listenControl(server, { transport: "unix", path: "/run/weft/control.sock" });
 * // ... the pod runs ...
 * server.close();
 * await listener.shutdown();
 * ```
 */
export async function listenControl(
  server: ControlServer,
  where: ControlTransport,
): Promise<ControlListener> {
  const common = { handler: server.handle, onListen: () => {} };
  let http: Deno.HttpServer;
  if (where.transport === "unix") {
    // The run directory may not exist yet (a fresh /run in a VM); made private when it is made here.
    // A bare name (no slash) or a top-level socket has no directory to make.
    const slash = where.path.lastIndexOf("/");
    if (slash > 0) {
      await Deno.mkdir(where.path.slice(0, slash), { recursive: true, mode: 0o700 });
    }
    await claimSocketPath(where.path);
    const mask = Deno.umask(0o177);
    try {
      http = Deno.serve({ ...common, transport: "unix", path: where.path });
    } finally {
      Deno.umask(mask);
    }
    // Belt and braces: the umask covers the bind, chmod covers a filesystem that ignores it.
    await Deno.chmod(where.path, 0o600);
  } else if (where.transport === "vsock") {
    try {
      http = Deno.serve({ ...common, transport: "vsock", cid: where.cid ?? -1, port: where.port });
    } catch (error) {
      throw new Error(
        `Cannot listen on vsock port ${where.port}: ${
          (error as Error).message
        } (Deno serves vsock only when run with --unstable-vsock)`,
        { cause: error },
      );
    }
  } else {
    http = Deno.serve({ ...common, hostname: where.hostname, port: where.port });
  }
  logger.info("Control API listening on {addr}", { addr: describe(http.addr) });
  return {
    addr: http.addr,
    shutdown: async (): Promise<void> => {
      server.close();
      // Answers in flight get a moment to finish; a client that stopped reading must not keep
      // the init from ending, so past it the endpoint is left to die with the process.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finished = await Promise.race([
        http.shutdown().then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), SHUTDOWN_GRACE)),
      ]);
      clearTimeout(timer);
      if (!finished) {
        logger.warn("Control API on {addr}: a client still holds an answer; not waiting for it", {
          addr: describe(http.addr),
        });
      }
      if (where.transport === "unix") await Deno.remove(where.path).catch(() => {});
    },
  };
}

function describe(addr: Deno.Addr): string {
  if (addr.transport === "unix" || addr.transport === "unixpacket") return `unix:${addr.path}`;
  if (addr.transport === "vsock") return `vsock:${addr.cid}:${addr.port}`;
  return `${addr.transport}:${(addr as Deno.NetAddr).hostname}:${(addr as Deno.NetAddr).port}`;
}
