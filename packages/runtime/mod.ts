/**
 * The contract between weft and OCI container runtimes: the
 * {@linkcode Runtime} interface, {@linkcode Stdio}, typed errors, argument
 * validation, the plugin registry that runtime packages register into, and
 * {@linkcode OciCli}/{@linkcode OciCliRuntime}, the shared driver for
 * runc-compatible CLIs.
 *
 * @example Select a runtime and read a container's state
 * ```ts ignore
 * import { selectRuntime } from "@weft/runtime";
 * import "@weft/runc";
 *
 * const runtime = await selectRuntime("auto");
 * const { status, pid } = await runtime.state("web");
 * console.log(runtime.name, status, pid);
 * ```
 *
 * @module
 */
export * from "./runtime.ts";
export * from "./stdio.ts";
export * from "./errors.ts";
export * from "./container_errors.ts";
export * from "./plugin_errors.ts";
export * from "./container_id.ts";
export * from "./signal.ts";
export * from "./bundle_dir.ts";
export * from "./find_binary.ts";
export * from "./registry.ts";
export * from "./plugin_options.ts";
export * from "./plugin_loader.ts";
export * from "./child_registry.ts";
export * from "./proc.ts";
export * from "./bytes.ts";
export * from "./path.ts";
export * from "./oci_cli.ts";
export * from "./oci_cli_options.ts";
export * from "./oci_cli_runtime.ts";
export * from "./capabilities.ts";
export * from "./oci_cli_output.ts";
export * from "./syscall_error.ts";
