/**
 * The control API of weft-init: what a host (the machine that booted the
 * micro-VM, or started the container) uses to drive the pod inside. HTTP/1.1
 * and JSON on versioned paths (`/v1/...`) over a Unix socket, vsock or TCP:
 * pod and container status, an event stream replayable from a cursor,
 * container logs (tail and follow), signal, restart and stop of one
 * container, stop of the pod, exec in a container, health. The server side
 * ({@linkcode ControlServer}, {@linkcode listenControl}) runs inside
 * weft-init; {@linkcode ControlClient} and the `weft-ctl` command (`./cli`)
 * run on the host.
 *
 * @example Read the pod's status and run a command in a container
 * ```ts ignore
 * import { ControlClient } from "@weft/control";
 *
 * using client = new ControlClient({ transport: "unix", path: "/run/weft/control.sock" });
 * const status = await client.status();
 * console.log(status.pod.state, Object.keys(status.containers));
 * const { code, stdout } = await client.exec("web", ["cat", "/etc/hostname"]);
 * ```
 *
 * @module
 */
export * from "./pod_types.ts";
export * from "./protocol.ts";
export * from "./seq_ring.ts";
export * from "./log_store.ts";
export * from "./server.ts";
export * from "./server_options.ts";
export * from "./listen.ts";
export * from "./client.ts";
export * from "./client_errors.ts";
export * from "./serve_control.ts";
