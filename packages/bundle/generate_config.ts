import { getLogger } from "@logtape/logtape";
import type { ContainerSpec, MountSpec, PodNamespace, PodSpec } from "./container_spec.ts";
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  standardMounts,
} from "./defaults.ts";
import { ContainerSpecError } from "./errors.ts";
import { hostCapabilities } from "./host_capabilities.ts";
import { type ImageConfig, readImageConfig } from "./image_config.ts";
import { mergeImageConfig } from "./merge_image_config.ts";
import type { OciConfig, OciMount, OciNamespace } from "./oci_config.ts";
import { parseContainerSpec, POD_NAMESPACES, withPod } from "./parse_container_spec.ts";
import { isParsed } from "./_parsed_spec.ts";
import { resolveUser } from "./user.ts";
import { applySecurity } from "./_security.ts";

/**
 * Options of {@linkcode generateConfig}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateConfig, type GenerateConfigOptions } from "@weft/bundle";
 *
 * const rootfs = await Deno.makeTempDir();
 * const options: GenerateConfigOptions = { id: "web", path: "containers[0]" };
 * const config = await generateConfig({ rootfs, process: { args: ["httpd"] } }, options);
 * assert.equal(config.hostname, "web");
 * await Deno.remove(rootfs);
 * ```
 */
export interface GenerateConfigOptions {
  /**
   * Prefix of every field path in errors, e.g. `containers[2]`.
   * @default {""}
   */
  path?: string;
  /**
   * The container id: the hostname when the spec gives none and the
   * container has its own UTS namespace (if it is a valid host name).
   * @default {no hostname: the runtime keeps the one it inherits}
   */
  id?: string;
  /**
   * Top-level fields of the input that the caller owns and that are ignored.
   * @default {[]}
   */
  extraFields?: readonly string[];
  /**
   * The pod whose namespaces the container joins, when it is known only now
   * (its partner's pid); it replaces the spec's `pod`.
   * @default {the spec's `pod`}
   */
  pod?: PodSpec;
}

/**
 * The OCI runtime-spec version written into generated configs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateConfig, OCI_VERSION } from "@weft/bundle";
 *
 * const rootfs = await Deno.makeTempDir();
 * const config = await generateConfig({ rootfs, process: { args: ["sh"] } });
 * assert.equal(config.ociVersion, OCI_VERSION);
 * await Deno.remove(rootfs);
 * ```
 */
export const OCI_VERSION = "1.0.2";

const NS_FILE: Record<PodNamespace, string> = { network: "net", ipc: "ipc", uts: "uts" };
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?$/;
const logger = getLogger(["weft", "bundle"]);

/**
 * Builds the OCI runtime config of a container spec. Everything is checked
 * before it returns, so a runtime never sees a bad spec: the shape
 * ({@linkcode parseContainerSpec}), then the filesystem: the rootfs is an
 * existing directory, bind sources exist, the image config reads, the user
 * resolves in the rootfs's `/etc/passwd`, the pod's namespaces exist.
 *
 * Defaults are a careful engine's: new pid, mount, ipc, uts and network
 * namespaces; Docker's 14 capabilities; `noNewPrivileges`; the default
 * seccomp filter ({@linkcode DEFAULT_SECCOMP_PROFILE}); an open-file limit
 * ({@linkcode DEFAULT_RLIMITS}); the masked and read-only paths and the
 * standard mounts of `runc spec`; every device denied except the runtime's
 * defaults (/dev/null, /dev/zero...). A user namespace is checked against
 * the files it must reach (rootfs, bind sources, mount points).
 *
 * @throws {ContainerSpecError} naming the field path and what was expected.
 *
 * @example
 * ```ts ignore
 * import { generateConfig } from "@weft/bundle";
 *
 * const config = await generateConfig({
 *   rootfs: "/srv/images/web/rootfs",
 *   process: { args: ["httpd", "-f"], user: "www-data" },
 *   readonlyRootfs: true,
 * }, { id: "web" });
 * console.log(config.process.user, config.hostname); // { uid: 33, gid: 33, ... } "web"
 * ```
 */
export async function generateConfig(
  input: ContainerSpec | unknown,
  options: GenerateConfigOptions = {},
): Promise<OciConfig> {
  const path = options.path ?? "";
  const field = (key: string) => (path === "" ? key : `${path}.${key}`);
  // A spec parseContainerSpec returned was checked then: not again.
  const checked = isParsed(input)
    ? input
    : parseContainerSpec(input, { path, extraFields: options.extraFields });
  const spec = options.pod === undefined ? checked : withPod(checked, options.pod, path);

  await checkDirectory(spec.rootfs, field("rootfs"));
  const image: ImageConfig = spec.imageConfig === undefined
    ? {}
    : await readImageConfig(spec.imageConfig, { field: field("imageConfig") });
  const process = mergeImageConfig(spec.process ?? {}, image, { path });
  const userField = spec.process?.user !== undefined
    ? field("process.user")
    : `${field("imageConfig")} (its config.User)`;
  const user = await resolveUser(spec.rootfs, process.user, { field: userField });
  if (!process.env.some((entry) => entry.startsWith("HOME="))) {
    process.env.push(`HOME=${user.home ?? "/"}`);
  }
  const mounts = await Promise.all(
    (spec.mounts ?? []).map((mount, index) => ociMount(mount, field(`mounts[${index}]`))),
  );
  const namespaces = await podNamespaces(spec, field("pod"));

  const privileged = spec.privileged === true;
  const capabilities = privileged ? await hostCapabilities() : [...DEFAULT_CAPABILITIES];
  const config: OciConfig = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: {
        uid: user.uid,
        gid: user.gid,
        ...(user.additionalGids.length > 0 && { additionalGids: user.additionalGids }),
      },
      args: process.args,
      env: process.env,
      cwd: process.cwd,
      capabilities: {
        bounding: capabilities,
        effective: [...capabilities],
        permitted: [...capabilities],
      },
      noNewPrivileges: !privileged,
    },
    root: { path: spec.rootfs, readonly: spec.readonlyRootfs === true },
    mounts: [...standardMounts({ privileged }), ...mounts],
    linux: {
      namespaces,
      resources: {
        devices: [{ allow: privileged, access: "rwm" }],
        ...resources(spec),
      },
    },
  };
  const ownUts = namespaces.some((namespace) => namespace.type === "uts" && !namespace.path);
  const hostname = spec.hostname ??
    (options.id !== undefined && HOSTNAME.test(options.id) ? options.id : undefined);
  if (hostname !== undefined && ownUts) config.hostname = hostname;
  if (!privileged) {
    config.linux.maskedPaths = [...DEFAULT_MASKED_PATHS];
    config.linux.readonlyPaths = [...DEFAULT_READONLY_PATHS];
  }
  await applySecurity(config, spec, field);
  logger.debug("Generated the config of {id}: {args}", { id: options.id, args: process.args });
  return config;
}

async function checkDirectory(path: string, field: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw new ContainerSpecError({
      field,
      expected: `an existing directory (${(error as Error).message})`,
      value: path,
      cause: error,
    });
  }
  if (!info.isDirectory) {
    throw new ContainerSpecError({ field, expected: "a directory, not a file", value: path });
  }
}

async function ociMount(mount: MountSpec, path: string): Promise<OciMount> {
  const extra = mount.options ?? [];
  const access = mount.readonly ? ["ro"] : [];
  if (mount.type === "bind") {
    try {
      await Deno.stat(mount.source);
    } catch (error) {
      throw new ContainerSpecError({
        field: `${path}.source`,
        expected: `an existing path on the host (${(error as Error).message})`,
        value: mount.source,
        cause: error,
      });
    }
    return {
      destination: mount.destination,
      type: "bind",
      source: mount.source,
      // rprivate: mounts made later on either side do not leak to the other.
      options: ["rbind", "rprivate", ...access, ...extra],
    };
  }
  const size = mount.size === undefined ? [] : [`size=${mount.size}`];
  return {
    destination: mount.destination,
    type: "tmpfs",
    source: "tmpfs",
    options: ["nosuid", "nodev", `mode=${mount.mode ?? "1777"}`, ...size, ...access, ...extra],
  };
}

async function podNamespaces(spec: ContainerSpec, field: string): Promise<OciNamespace[]> {
  const shared = spec.pod === undefined ? [] : spec.pod.share ?? [...POD_NAMESPACES];
  const namespaces: OciNamespace[] = [{ type: "pid" }, { type: "mount" }];
  for (const type of POD_NAMESPACES) {
    if (!shared.includes(type)) {
      namespaces.push({ type });
      continue;
    }
    const nsPath = `/proc/${spec.pod!.pid}/ns/${NS_FILE[type]}`;
    try {
      await Deno.lstat(nsPath);
    } catch (error) {
      throw new ContainerSpecError({
        field: `${field}.pid`,
        expected: `the pid of a live process whose namespaces to join (${nsPath}: ${
          (error as Error).message
        })`,
        value: spec.pod!.pid,
        cause: error,
      });
    }
    namespaces.push({ type, path: nsPath });
  }
  return namespaces;
}

function resources(spec: ContainerSpec): NonNullable<OciConfig["linux"]["resources"]> {
  const limits = spec.resources ?? {};
  const result: NonNullable<OciConfig["linux"]["resources"]> = {};
  // parseContainerSpec has turned "64m" into bytes.
  if (limits.memoryLimit !== undefined) result.memory = { limit: limits.memoryLimit as number };
  const { cpuShares, cpuQuota, cpuPeriod } = limits;
  if (cpuShares !== undefined || cpuQuota !== undefined || cpuPeriod !== undefined) {
    const cpu: NonNullable<typeof result.cpu> = {};
    if (cpuShares !== undefined) cpu.shares = cpuShares;
    if (cpuQuota !== undefined) cpu.quota = cpuQuota;
    // A quota means nothing without its period: the kernel's default is 100 ms.
    if (cpuQuota !== undefined || cpuPeriod !== undefined) cpu.period = cpuPeriod ?? 100_000;
    result.cpu = cpu;
  }
  if (limits.pidsLimit !== undefined) result.pids = { limit: limits.pidsLimit };
  return result;
}
