/**
 * weft-init as a library: the pod configuration (validated, with the JSON
 * Schema editors use), the restart policy, the supervisor that runs a pod of
 * OCI containers through a `@weft/runtime` runtime, and the atomic status
 * file. The `weft-init` command (`main.ts`) puts them together with the
 * reaper and the PID-1 duties.
 *
 * @example Run a pod from its configuration file
 * ```ts ignore
 * import { chooseRuntime, loadConfig, Reaper, Supervisor } from "@weft/init";
 * import "@weft/runc";
 *
 * const config = await loadConfig("/etc/weft/pod.json");
 * const { runtime } = await chooseRuntime(config);
 * using reaper = Reaper.start();
 * const supervisor = new Supervisor(config, { runtime, reaper });
 * Deno.addSignalListener("SIGTERM", () => void supervisor.stop("SIGTERM"));
 * const { exitCode } = await supervisor.run();
 * ```
 *
 * @module
 */
export * from "./config.ts";
export type { MachineConfig, NetworkConfig } from "./machine_schema.ts";
export * from "./config_defaults.ts";
export { podConfigJsonSchema } from "./config_schema.ts";
export * from "./runtime_choice.ts";
export * from "./preflight.ts";
export * from "./restart_policy.ts";
export * from "./container_stdio.ts";
export * from "./status_file.ts";
export * from "./pod_status.ts";
export * from "./exit_history.ts";
export * from "./supervisor.ts";
export * from "./supervisor_options.ts";
export * from "./leftovers.ts";
export * from "./supervisor_errors.ts";
export * from "./container_unit.ts";
export * from "./container_phase.ts";
export * from "./container_run.ts";
export * from "./pod_graph.ts";
export * from "./pod_event.ts";
export * from "./clock.ts";
export * from "./reaper.ts";
export * from "./exit_status.ts";
export * from "./child_subreaper.ts";
export * from "./syscall_error.ts";
export * from "./exit_port.ts";
export * from "./signal_table.ts";
export * from "./run_options.ts";
