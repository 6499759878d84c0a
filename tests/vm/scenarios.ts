/**
 * The pods the VM tests boot, written as a user would: a directory with a
 * pod file and busybox bundles, handed to @weft/vm's `buildImage`.
 */
import { createBusyboxBundle } from "@weft/runtime/testing";
import type { Expectation } from "./verdict.ts";

/** One busybox bundle of a pod, at `bundles/<id>`. */
export interface BundleSpec {
  /** The container id (and directory name). */
  id: string;
  /** The container's argv. */
  args: string[];
  /** Namespaces of the VM the container shares instead of getting its own. @default {[]} */
  shareVm?: ("pid" | "network" | "uts")[];
  /** Files of the VM bind-mounted read-only at the same path in the container. @default {[]} */
  bindVm?: string[];
}

/** A pod to boot and what its boot must show. */
export interface Scenario {
  /** Name of its directory and of `tests/vm/run.ts --scenario`. */
  name: string;
  /** The pod file. */
  pod: Record<string, unknown>;
  /** Its bundles. */
  bundles: BundleSpec[];
  /** What a passing boot shows. */
  expect: Expectation;
  /** `user`: the VM gets a NIC (`weft-vm run --net user`). @default {"none"} */
  net?: "none" | "user";
  /** Extra kernel command-line words (`weft-vm run --append`). @default {[]} */
  append?: string[];
}

/** Writes the scenario's pod directory under `parent` and returns its pod file. */
export async function writePodDir(parent: string, scenario: Scenario): Promise<string> {
  const dir = `${parent}/${scenario.name}`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${dir}/bundles`, { recursive: true });
  for (const bundle of scenario.bundles) {
    const made = await createBusyboxBundle({
      parent: `${dir}/bundles`,
      args: bundle.args,
      configure: (config) => {
        const linux = config.linux as { namespaces: { type: string }[] };
        const shared: string[] = bundle.shareVm ?? [];
        linux.namespaces = linux.namespaces.filter((n) => !shared.includes(n.type));
        // A hostname needs a UTS namespace of the container's own.
        if (shared.includes("uts")) delete config.hostname;
        const mounts = config.mounts as Record<string, unknown>[];
        for (const path of bundle.bindVm ?? []) {
          mounts.push({ destination: path, type: "bind", source: path, options: ["bind", "ro"] });
        }
      },
    });
    // A file bind mount needs a file to mount over.
    for (const path of bundle.bindVm ?? []) {
      await Deno.writeTextFile(`${made.dir}/rootfs${path}`, "");
    }
    await Deno.rename(made.dir, `${dir}/bundles/${bundle.id}`);
  }
  await Deno.writeTextFile(`${dir}/pod.json`, JSON.stringify(scenario.pod, null, 2));
  return `${dir}/pod.json`;
}

/** The host name the machine pod asks for. */
export const VM_HOSTNAME = "weft-vm-test";

/** Busybox bundles of the machine pod: each container prints `VM-MARK` lines the verdict looks for. */
const podBundles: BundleSpec[] = [
  { id: "web", args: ["sh", "-c", "echo VM-MARK web running; sleep 3; echo VM-MARK web done"] },
  {
    // Fails on its first run, succeeds on its second: only a restart by policy passes.
    id: "flaky",
    args: [
      "sh",
      "-c",
      "if [ -e /ran-once ]; then echo VM-MARK flaky second run; exit 0; fi; " +
      "touch /ran-once; echo VM-MARK flaky first run fails; exit 3",
    ],
  },
  {
    // Shares the VM's PID namespace: its background sleepers outlive it and
    // are reparented to PID 1, which must reap them.
    id: "orphans",
    shareVm: ["pid"],
    args: [
      "sh",
      "-c",
      "for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; echo VM-MARK orphans left 8 sleepers",
    ],
  },
  {
    // Counts zombies in the whole VM once the orphans have died; retries a
    // few times so that a zombie the reaper is about to reap does not count.
    id: "zombie-check",
    shareVm: ["pid"],
    args: [
      "sh",
      "-c",
      "sleep 2; for try in 1 2 3 4 5 6; do n=0; " +
      'for f in /proc/[0-9]*/stat; do read -r s < "$f" 2>/dev/null || continue; ' +
      'case "$s" in *") Z "*) n=$((n+1));; esac; done; ' +
      '[ "$n" = 0 ] && break; sleep 0.5; done; echo VM-MARK zombies=$n; [ "$n" = 0 ]',
    ],
  },
  {
    // In the VM's network namespace, where only the init brings lo up.
    id: "lo-server",
    shareVm: ["network"],
    args: ["sh", "-c", "echo VM-MARK lo-server listening; echo pong | nc -l -p 8080"],
  },
  {
    // Reaches lo-server over 127.0.0.1 (retrying until it listens), and
    // reports lo's state and the machine's hostname from the VM's UTS namespace.
    id: "lo-client",
    shareVm: ["network", "uts"],
    args: [
      "sh",
      "-c",
      "for i in $(seq 100); do r=$(nc 127.0.0.1 8080 </dev/null 2>/dev/null) && " +
      '[ -n "$r" ] && break; sleep 0.1; done; echo "VM-MARK lo answered: $r"; ' +
      'ip link show lo | grep -q "UP" && echo VM-MARK lo is up; ' +
      'echo "VM-MARK hostname=$(hostname)"; [ "$r" = pong ]',
    ],
  },
];

/** The machine pod on one runtime: restarts, reaping, lo and the hostname. */
export function machinePod(runtime: "crun" | "runc"): Scenario {
  const never = { policy: "never" };
  return {
    name: `pod-${runtime}`,
    pod: {
      runtime: { name: runtime },
      machine: { hostname: VM_HOSTNAME },
      containers: [
        { id: "web", bundle: "bundles/web", restart: never },
        {
          id: "flaky",
          bundle: "bundles/flaky",
          restart: { policy: "on-failure", backoff: { initial: 100 }, startLimit: 3 },
        },
        { id: "orphans", bundle: "bundles/orphans", restart: never },
        {
          id: "zombie-check",
          bundle: "bundles/zombie-check",
          restart: never,
          dependsOn: ["orphans"],
        },
        { id: "lo-server", bundle: "bundles/lo-server", restart: never },
        {
          id: "lo-client",
          bundle: "bundles/lo-client",
          restart: never,
          dependsOn: ["lo-server"],
        },
      ],
      pod: { exitCode: { from: "first-failure" }, endWhen: "all-ended" },
    },
    bundles: podBundles,
    expect: {
      exitCode: 0,
      lines: [
        "VM-MARK web running",
        "VM-MARK web done",
        "VM-MARK flaky first run fails",
        "VM-MARK flaky second run",
        "VM-MARK orphans left 8 sleepers",
        "VM-MARK zombies=0",
        "VM-MARK lo answered: pong",
        "VM-MARK lo is up",
        `VM-MARK hostname=${VM_HOSTNAME}`,
        // The init's own log (LogTape text format on the console).
        new RegExp(
          `Machine ready: lo up, hostname ${VM_HOSTNAME} openFiles=1048576 entropyBits=256`,
        ),
        /Restarting container flaky in \d+ ms/,
        "Pod ended with exit code 0",
      ],
    },
  };
}

/** The static network the net pod's file asks for, inside QEMU's user network 10.0.2.0/24. */
export const VM_NETWORK = { address: "10.0.2.15/24", gateway: "10.0.2.2", dns: ["10.0.2.3"] };

/**
 * The network the kernel command line gives in the `kernel-line` form of the
 * net pod: not the pod file's, which it must replace whole.
 */
export const VM_KERNEL_NETWORK = {
  address: "10.0.2.16/24",
  gateway: "10.0.2.2",
  dns: ["10.0.2.3", "10.0.2.4"],
};

/**
 * A VM with a NIC (`--net user`) whose eth0 gets a static network, from the
 * pod file (`pod-file`) or from `weft.ip=`/`weft.gw=`/`weft.dns=` on the
 * kernel command line (`kernel-line`, over a pod file that asks for another
 * network); a container in the VM's network namespace reports eth0, the
 * default route and the name servers the init wrote (bound in from the VM).
 */
export function netPod(form: "pod-file" | "kernel-line" = "pod-file"): Scenario {
  const network = form === "pod-file" ? VM_NETWORK : VM_KERNEL_NETWORK;
  return {
    name: form === "pod-file" ? "net-crun" : "net-cmdline-crun",
    net: "user",
    append: form === "pod-file" ? [] : [
      `weft.ip=${network.address}`,
      `weft.gw=${network.gateway}`,
      `weft.dns=${network.dns.join(",")}`,
    ],
    pod: {
      runtime: { name: "crun" },
      machine: { network: VM_NETWORK },
      containers: [{ id: "net", bundle: "bundles/net", restart: { policy: "never" } }],
    },
    bundles: [{
      id: "net",
      shareVm: ["network"],
      bindVm: ["/etc/resolv.conf"],
      args: [
        "sh",
        "-c",
        'ip link show eth0 | grep -q "[<,]UP[,>]" && echo VM-MARK eth0 is up; ' +
        'echo "VM-MARK eth0 $(ip -4 addr show eth0 | grep -o "inet [0-9./]*")"; ' +
        'echo "VM-MARK route $(ip route show default)"; ' +
        // Unquoted: every name server on one line.
        "echo VM-MARK resolv $(grep nameserver /etc/resolv.conf)",
      ],
    }],
    expect: {
      exitCode: 0,
      lines: [
        "VM-MARK eth0 is up",
        `VM-MARK eth0 inet ${network.address}`,
        `VM-MARK route default via ${network.gateway} dev eth0`,
        `VM-MARK resolv ${network.dns.map((server) => `nameserver ${server}`).join(" ")}`,
        // The init's log shows a property value with a space quoted.
        `network="eth0 ${network.address}"`,
        "Pod ended with exit code 0",
      ],
      forbidden: [
        "Kernel panic",
        "Cannot configure eth0",
        ...(form === "pod-file" ? [] : [`inet ${VM_NETWORK.address}`]),
      ],
    },
  };
}

/** The bundle "app": says "VM-MARK app ready", runs until TERM, then exits with `code`. */
function runsUntilTerm(code: number): BundleSpec {
  return {
    id: "app",
    args: [
      "sh",
      "-c",
      `trap "echo VM-MARK app got TERM; exit ${code}" TERM; echo VM-MARK app ready; ` +
      "while :; do sleep 1; done",
    ],
  };
}

/** A crun pod file whose one container "app" ({@linkcode runsUntilTerm}) gives the pod's code. */
function untilTermPodFile(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    runtime: { name: "crun" },
    ...extra,
    containers: [{ id: "app", bundle: "bundles/app", restart: { policy: "never" } }],
    pod: { exitCode: { from: "container", id: "app" } },
  };
}

/** The guest port of the control pod's API (`control.tcp.port`). */
export const VM_CONTROL_PORT = 7070;

/**
 * A VM whose pod serves the control API over TCP on eth0 (QEMU's guest
 * address 10.0.2.15), reached from the host through a forward of
 * 127.0.0.1 (`weft-vm run --control-port`). Its one container runs until
 * stopped; on TERM it exits 7, which is the pod's exit code.
 */
export function controlPod(): Scenario {
  return {
    name: "control-crun",
    net: "user",
    pod: untilTermPodFile({
      machine: { network: { address: VM_NETWORK.address } },
      control: { tcp: { hostname: "0.0.0.0", port: VM_CONTROL_PORT } },
    }),
    bundles: [runsUntilTerm(7)],
    expect: {
      exitCode: 7,
      lines: [
        "VM-MARK app ready",
        "VM-MARK app got TERM",
        /Stopping the pod/,
        "Pod ended with exit code 7",
        "weft-init finished with exit code 7: powering off",
      ],
    },
  };
}

/**
 * A pod that runs until it is stopped, for the ACPI power button (QEMU's
 * `system_powerdown`, what cloud-hypervisor's `power-button` presses):
 * weft-init must stop the pod gracefully, its container's TERM trap
 * giving the pod's code.
 */
export function powerButtonPod(): Scenario {
  return {
    name: "power-button-crun",
    pod: untilTermPodFile({}),
    bundles: [runsUntilTerm(5)],
    expect: {
      exitCode: 5,
      lines: [
        "VM-MARK app ready",
        "Power button pressed: stopping the pod as on SIGINT",
        "Stopping the pod: received SIGINT",
        "VM-MARK app got TERM",
        "Pod ended with exit code 5",
      ],
    },
  };
}
