/**
 * weft-init as a library: the pod configuration (validated, with the JSON
 * Schema editors use), the restart policy, the supervisor that runs a pod of
 * OCI containers through a `@weft/runtime` runtime, and the atomic status
 * file. The `weft-init` command (`main.ts`) puts them together with the
 * reaper and the PID-1 duties.
 *
 * @example Run a pod from its configuration file
 * ```ts ignore
 * import { loadConfig, Reaper, Supervisor } from "@weft/init";
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/runc";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * const root = "/run/weft/runc";
 * const runtime = await selectRuntime("runc", { options: { root } });
 * using reaper = Reaper.start();
 * const supervisor = new Supervisor(config, { runtime, reaper, root });
 * Deno.addSignalListener("SIGTERM", () => void supervisor.stop("SIGTERM"));
 * const { exitCode } = await supervisor.run();
 * ```
 *
 * @module
 */
export * from "./config.ts";
export {
  DEFAULT_BACKOFF,
  DEFAULT_CONFIG_PATH,
  DEFAULT_POD_STOP_GRACE,
  DEFAULT_RUNTIME_CALL_TIMEOUT,
  DEFAULT_START_LIMIT,
  DEFAULT_STATUS_FILE,
  DEFAULT_STOP_GRACE,
  podConfigJsonSchema,
} from "./config_schema.ts";
export * from "./runtime_choice.ts";
export * from "./restart_policy.ts";
export * from "./container_stdio.ts";
export * from "./status_file.ts";
export * from "./pod_status.ts";
export * from "./pod_event.ts";
export * from "./supervisor.ts";
export * from "./reaper.ts";
export * from "./exit_status.ts";
export * from "./child_subreaper.ts";
export * from "./syscall_error.ts";
export * from "./exit_port.ts";
