import { findBinary } from "../find_binary.ts";

/**
 * Options of {@linkcode createBusyboxBundle}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BusyboxBundleOptions } from "@weft/runtime/testing";
 *
 * const options: BusyboxBundleOptions = {
 *   args: ["sh", "-c", "echo hello"],
 *   env: ["GREETING=hello"],
 *   configure: (config) => (config.hostname = "test"),
 * };
 * assert.ok(options.args?.[0] === "sh");
 * ```
 */
export interface BusyboxBundleOptions {
  /** The container's argv. @default {["sh"]} */
  args?: readonly string[];
  /** Extra environment entries, `NAME=value`. @default {[]} */
  env?: readonly string[];
  /** The container's working directory. @default {"/"} */
  cwd?: string;
  /** The static busybox binary copied into the rootfs. @default {busybox found in PATH} */
  busybox?: string;
  /** Directory the bundle is made in. @default {a new temporary directory} */
  parent?: string;
  /** Changes the generated config before it is written. */
  configure?: (config: Record<string, unknown>) => void;
}

/**
 * An OCI bundle on disk; `await using` removes it.
 *
 * @example
 * ```ts ignore
 * import { type BusyboxBundle, createBusyboxBundle } from "@weft/runtime/testing";
 *
 * await using bundle: BusyboxBundle = await createBusyboxBundle({ args: ["true"] });
 * console.log(bundle.dir, bundle.config.ociVersion);
 * ```
 */
export interface BusyboxBundle extends AsyncDisposable {
  /** Absolute path of the bundle directory (holds `config.json` and `rootfs/`). */
  readonly dir: string;
  /** The config written to `config.json`. */
  readonly config: Record<string, unknown>;
  /** Removes the bundle directory. */
  remove(): Promise<void>;
}

let appletCache: Promise<string[]> | undefined;

async function applets(busybox: string): Promise<string[]> {
  const { stdout } = await new Deno.Command(busybox, { args: ["--list"], stdout: "piped" })
    .output();
  return new TextDecoder().decode(stdout).split("\n").filter((name) =>
    /^[a-z0-9_.[-]+$/.test(name)
  );
}

/** The config `runc spec` writes, with `terminal: false` and a writable root. */
function baseConfig(options: BusyboxBundleOptions): Record<string, unknown> {
  const caps = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"];
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [...(options.args ?? ["sh"])],
      env: ["PATH=/bin:/sbin:/usr/bin:/usr/sbin", ...(options.env ?? [])],
      cwd: options.cwd ?? "/",
      capabilities: { bounding: caps, effective: caps, permitted: caps, ambient: caps },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: "rootfs", readonly: false },
    hostname: "weft",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc" },
      {
        destination: "/dev",
        type: "tmpfs",
        source: "tmpfs",
        options: ["nosuid", "strictatime", "mode=755", "size=65536k"],
      },
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"],
      },
      {
        destination: "/dev/shm",
        type: "tmpfs",
        source: "shm",
        options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"],
      },
      {
        destination: "/sys",
        type: "sysfs",
        source: "sysfs",
        options: ["nosuid", "noexec", "nodev", "ro"],
      },
    ],
    linux: {
      namespaces: [
        { type: "pid" },
        { type: "network" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
      ],
      maskedPaths: ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware"],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

/**
 * Builds an OCI bundle whose rootfs is a static busybox with its applet
 * links, for tests that run real containers. The config has
 * `terminal: false`, no cgroup resources (so it runs where cgroups are
 * limited), and the argv, env and cwd asked for.
 *
 * @example
 * ```ts ignore
 * import { createBusyboxBundle } from "@weft/runtime/testing";
 *
 * await using bundle = await createBusyboxBundle({ args: ["echo", "hello"] });
 * console.log(bundle.dir);
 * ```
 */
export async function createBusyboxBundle(
  options: BusyboxBundleOptions = {},
): Promise<BusyboxBundle> {
  const busybox = options.busybox ?? await findBinary("busybox");
  if (busybox === undefined) {
    throw new Error(
      "Cannot build a busybox bundle: no busybox in PATH (install busybox-static)",
    );
  }
  const dir = await Deno.makeTempDir({ dir: options.parent, prefix: "weft-bundle-" });
  try {
    const rootfs = `${dir}/rootfs`;
    for (const sub of ["bin", "dev", "proc", "sys", "tmp", "etc", "root"]) {
      await Deno.mkdir(`${rootfs}/${sub}`, { recursive: true });
    }
    await Deno.copyFile(busybox, `${rootfs}/bin/busybox`);
    await Deno.chmod(`${rootfs}/bin/busybox`, 0o755);
    appletCache ??= applets(busybox);
    for (const name of await appletCache) {
      if (name !== "busybox") await Deno.symlink("busybox", `${rootfs}/bin/${name}`);
    }
    await Deno.writeTextFile(`${rootfs}/etc/passwd`, "root:x:0:0:root:/root:/bin/sh\n");
    await Deno.writeTextFile(`${rootfs}/etc/group`, "root:x:0:\n");
    const config = baseConfig(options);
    options.configure?.(config);
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(config, null, 2));
    const remove = () => Deno.remove(dir, { recursive: true }).catch(() => {});
    return { dir, config, remove, [Symbol.asyncDispose]: remove };
  } catch (error) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw error;
  }
}
