/** A mount of an OCI runtime config. */
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

/** A namespace of an OCI runtime config: a new one, or the one at `path`. */
export interface OciNamespace {
  /** `pid`, `mount`, `ipc`, `uts`, `network`... */
  type: string;
  /** A `/proc/<pid>/ns/<type>` path to join instead of creating one. */
  path?: string;
}

/**
 * The OCI runtime `config.json` that {@linkcode generateConfig} writes: the
 * subset of runtime-spec v1.2.1 it uses.
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
