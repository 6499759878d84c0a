/**
 * A mount of an OCI runtime config.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciMount } from "@weft/bundle";
 *
 * const proc: OciMount = { destination: "/proc", type: "proc", source: "proc" };
 * assert.equal(proc.type, "proc");
 * ```
 */
export interface OciMount {
  /** Absolute path inside the container. */
  destination: string;
  /** Filesystem type (`proc`, `tmpfs`, `bind`...). */
  type: string;
  /** Device, path or pseudo-filesystem name. */
  source: string;
  /** Mount options. */
  options?: string[];
}

/**
 * A namespace of an OCI runtime config: a new one, or the one at `path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OciNamespace } from "@weft/bundle";
 *
 * const joined: OciNamespace = { type: "network", path: "/proc/4242/ns/net" };
 * const own: OciNamespace = { type: "pid" };
 * assert.ok(joined.path !== undefined && own.path === undefined);
 * ```
 */
export interface OciNamespace {
  /** `pid`, `mount`, `ipc`, `uts`, `network`... */
  type: string;
  /** A `/proc/<pid>/ns/<type>` path to join instead of creating one. */
  path?: string;
}

/**
 * The OCI runtime `config.json` that {@linkcode generateConfig} writes: the
 * subset of runtime-spec v1.2.1 it uses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateConfig, type OciConfig } from "@weft/bundle";
 *
 * const rootfs = await Deno.makeTempDir();
 * const config: OciConfig = await generateConfig({ rootfs, process: { args: ["sh"] } });
 * assert.ok(config.root.path === rootfs && config.process.args[0] === "sh");
 * await Deno.remove(rootfs);
 * ```
 */
export interface OciConfig {
  /** The spec version the config follows. */
  ociVersion: string;
  /** The container's process. */
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    noNewPrivileges: boolean;
  };
  /** The root filesystem (absolute path). */
  root: { path: string; readonly: boolean };
  /** The hostname, when the container has its own UTS namespace. */
  hostname?: string;
  /** Mounts, in order. */
  mounts: OciMount[];
  /** Linux-specific settings. */
  linux: {
    namespaces: OciNamespace[];
    maskedPaths?: string[];
    readonlyPaths?: string[];
    resources?: {
      devices?: { allow: boolean; access?: string }[];
      memory?: { limit: number };
      cpu?: { shares?: number; quota?: number; period?: number };
      pids?: { limit: number };
    };
  };
}
