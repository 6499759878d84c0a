import { type ControlListener, type ControlTransport, listenControl } from "./listen.ts";
import { LogStore } from "./log_store.ts";
import type { ControlTarget } from "./protocol.ts";
import { ControlServer } from "./server.ts";

/**
 * The Unix socket of the control API by default.
 *
 * @example
 * ```ts
 * import { DEFAULT_CONTROL_SOCKET } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * assert.equal(DEFAULT_CONTROL_SOCKET, "/run/weft/control.sock");
 * ```
 */
export const DEFAULT_CONTROL_SOCKET = "/run/weft/control.sock";

/**
 * The `control` section of a pod file, defaults filled in: where the API
 * listens and its bounds. The Unix socket is always served when the section
 * is present; vsock and TCP only when named.
 *
 * @example
 * ```ts
 * import type { ControlSettings } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const settings: ControlSettings = {
 *   socket: "/run/weft/control.sock",
 *   vsock: { port: 1024 },
 *   logLines: 1000,
 *   maxLineLength: 8192,
 *   journal: 10000,
 *   maxBodyBytes: 65536,
 *   maxStreams: 64,
 * };
 * assert.ok(settings.socket);
 * ```
 */
export interface ControlSettings {
  /** The Unix socket (absolute path; mode 0600). */
  socket: string;
  /** A vsock port, for a micro-VM's host (any CID by default). */
  vsock?: { port: number; cid?: number };
  /** A TCP endpoint, for QEMU user networking with a hostfwd to the host's 127.0.0.1. */
  tcp?: { hostname: string; port: number };
  /** Lines kept per container for `logs`. */
  logLines: number;
  /** Characters kept of one log line. */
  maxLineLength: number;
  /** Events kept for replay. */
  journal: number;
  /** The largest request body. */
  maxBodyBytes: number;
  /** Streams open at once. */
  maxStreams: number;
}

/**
 * A running control API: its server, its log store (to feed with container
 * output) and its listeners.
 *
 * @example
 * ```ts ignore
 * import { serveControl, type ServedControl } from "@weft/control";
 *
 * const served: ServedControl = await serveControl(supervisor, settings, { version: "0.1.0" });
 * served.logs.append("web", "stdout", "ready");
 * await served.shutdown();
 * ```
 */
export interface ServedControl {
  /** The server. */
  server: ControlServer;
  /** Where container output lines go. */
  logs: LogStore;
  /** The endpoints listening. */
  listeners: ControlListener[];
  /** Ends every stream and stops every endpoint (removing the socket). */
  shutdown(): Promise<void>;
}

/**
 * Serves `target` on every endpoint `settings` names. If one endpoint
 * cannot listen, those already listening are closed and the error thrown.
 * `options.logs` is the store the container output already feeds (the
 * supervisor is made before the server that serves it); by default a new
 * one sized by `settings`.
 *
 * @example
 * ```ts ignore
 * import { serveControl } from "@weft/control";
 *
 * const served = await serveControl(supervisor, settings, { version: "0.1.0" });
 * await supervisor.run();
 * await served.shutdown();
 * ```
 */
export async function serveControl(
  target: ControlTarget,
  settings: ControlSettings,
  options: { version?: string; logs?: LogStore } = {},
): Promise<ServedControl> {
  const logs = options.logs ??
    new LogStore({ lines: settings.logLines, maxLineLength: settings.maxLineLength });
  const server = new ControlServer(target, {
    logs,
    version: options.version,
    journal: settings.journal,
    maxBodyBytes: settings.maxBodyBytes,
    maxStreams: settings.maxStreams,
  });
  const where: ControlTransport[] = [{ transport: "unix", path: settings.socket }];
  if (settings.vsock) where.push({ transport: "vsock", ...settings.vsock });
  if (settings.tcp) where.push({ transport: "tcp", ...settings.tcp });
  const listeners: ControlListener[] = [];
  const shutdown = async (): Promise<void> => {
    // Once here (also when no endpoint came up); each listener's own close is then a no-op.
    server.close();
    await Promise.all(listeners.map((listener) => listener.shutdown()));
  };
  try {
    for (const endpoint of where) listeners.push(await listenControl(server, endpoint));
  } catch (error) {
    await shutdown();
    throw error;
  }
  return { server, logs, listeners, shutdown };
}
