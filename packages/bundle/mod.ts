/**
 * OCI bundles without hand-written `config.json`: describe a container by its
 * root filesystem and process (plain JSON, {@linkcode ContainerSpec}), and
 * {@linkcode generateConfig} builds a runtime-spec config with a careful
 * engine's defaults (Docker's capabilities, `noNewPrivileges`, masked and
 * read-only /proc paths, the standard mounts), merges an OCI image config
 * with Docker's precedence, resolves users in the rootfs's `/etc/passwd`, and
 * joins a pod's namespaces. {@linkcode writeBundle} writes it into a
 * per-container directory; {@linkcode removeBundle} removes it. Bad input is
 * refused before anything runs, naming the field.
 *
 * @example Generate a config
 * ```ts ignore
 * import { generateConfig } from "@weft/bundle";
 *
 * const config = await generateConfig({
 *   rootfs: "/srv/images/busybox/rootfs",
 *   process: { args: ["sh", "-c", "echo hello"], user: "1000:1000" },
 *   mounts: [{ type: "tmpfs", destination: "/tmp", size: "16m" }],
 *   resources: { pidsLimit: 64 },
 * }, { id: "hello" });
 * console.log(JSON.stringify(config, null, 2));
 * ```
 *
 * @module
 */
export * from "./container_spec.ts";
export * from "./errors.ts";
export * from "./parse_container_spec.ts";
export * from "./user.ts";
export * from "./image_config.ts";
export * from "./merge_image_config.ts";
export * from "./defaults.ts";
export * from "./host_capabilities.ts";
export * from "./oci_config.ts";
export * from "./generate_config.ts";
export * from "./bundle.ts";
export * from "./seccomp_profile.ts";
export * from "./seccomp.ts";
export * from "./seccomp_user_profile.ts";
export { DEFAULT_RLIMITS, RLIMIT_NAMES, type RlimitsSpec, type RlimitValue } from "./rlimits.ts";
export type { IdMappingSpec, UserNamespaceSpec } from "./user_namespace.ts";
export * from "./container_spec_schema.ts";
export * from "./json_schema_of.ts";
export * from "./regular_file.ts";
