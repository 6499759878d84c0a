/**
 * The pods the VM test boots. One image per init holds every scenario's
 * configuration and bundles; the kernel command line picks the scenario,
 * so the good and the broken boot share one cached archive.
 */
import type { BundleSpec, InitramfsSpec } from "./initramfs.ts";
import type { Expectation } from "./verdict.ts";

/** A pod to boot and what its boot must show. */
export interface Scenario {
  /** Name used on the command line of `tests/vm/run.ts`. */
  name: string;
  /** The init's argv after `run -A /init.js`. */
  initArgs: string[];
  /** What a passing boot shows. */
  expect: Expectation;
  /** The serial line that shows the first container running (for the boot time). */
  firstRunning?: string | RegExp;
}

/** An image and the scenarios it can boot. */
export interface Image {
  /** What goes into the initramfs. */
  spec: InitramfsSpec;
  /** The scenarios, by name. */
  scenarios: Record<string, Scenario>;
}

const standInBundles: BundleSpec[] = [
  { id: "crun-hello", args: ["sh", "-c", "echo VM-MARK crun-hello running in $(hostname)"] },
  { id: "runc-hello", args: ["sh", "-c", "echo VM-MARK runc-hello running; exit 0"] },
  { id: "missing-binary", args: ["/no/such/binary"] },
];

/** The stand-in init (tests/vm/fixtures/stand_in_init.js) and its two pods. */
export function standInImage(): Image {
  const init = new URL("./fixtures/stand_in_init.js", import.meta.url).pathname;
  const good = {
    containers: [
      { id: "crun-hello", runtime: "crun", bundle: "/pod/crun-hello" },
      { id: "runc-hello", runtime: "runc", bundle: "/pod/runc-hello" },
    ],
  };
  const broken = {
    containers: [{ id: "missing-binary", runtime: "crun", bundle: "/pod/missing-binary" }],
  };
  const lines = [
    "VM-MARK crun-hello running in weft",
    "VM-MARK runc-hello running",
    "stand-in: crun-hello exited with code 0",
    "stand-in: runc-hello exited with code 0",
    "stand-in: pod exit code 0",
  ];
  return {
    spec: {
      init,
      files: {
        "/etc/stand-in/good.json": JSON.stringify(good),
        "/etc/stand-in/broken.json": JSON.stringify(broken),
      },
      bundles: standInBundles,
    },
    scenarios: {
      "stand-in": {
        name: "stand-in",
        initArgs: ["/etc/stand-in/good.json"],
        expect: { exitCode: 0, lines },
        firstRunning: "VM-MARK crun-hello running",
      },
      "stand-in-broken": {
        name: "stand-in-broken",
        initArgs: ["/etc/stand-in/broken.json"],
        expect: { exitCode: 0, lines },
      },
    },
  };
}

/** Busybox bundles of the real pod: each container prints `VM-MARK` lines the verdict looks for. */
const podBundles: BundleSpec[] = [
  {
    id: "web",
    args: ["sh", "-c", "echo VM-MARK web running; sleep 3; echo VM-MARK web done"],
  },
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
    hostPid: true,
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
    hostPid: true,
    args: [
      "sh",
      "-c",
      "sleep 2; for try in 1 2 3 4 5 6; do n=0; " +
      'for f in /proc/[0-9]*/stat; do read -r s < "$f" 2>/dev/null || continue; ' +
      'case "$s" in *") Z "*) n=$((n+1));; esac; done; ' +
      '[ "$n" = 0 ] && break; sleep 0.5; done; echo VM-MARK zombies=$n; [ "$n" = 0 ]',
    ],
  },
  { id: "missing-binary", args: ["/no/such/binary"] },
];

/** The pod of the real init on one runtime. */
function podConfig(runtime: "crun" | "runc"): Record<string, unknown> {
  return {
    runtime: { name: runtime, noPivot: true },
    containers: [
      { id: "web", bundle: "/pod/web", restart: { policy: "never" } },
      {
        id: "flaky",
        bundle: "/pod/flaky",
        restart: { policy: "on-failure", backoff: { initial: 100 }, startLimit: 3 },
      },
      { id: "orphans", bundle: "/pod/orphans", restart: { policy: "never" } },
      {
        id: "zombie-check",
        bundle: "/pod/zombie-check",
        restart: { policy: "never" },
        dependsOn: ["orphans"],
      },
    ],
    pod: { exitCode: { from: "first-failure" }, endWhen: "all-ended" },
  };
}

/** A pod whose only container cannot start, and whose policy makes the pod fail. */
const brokenPod = {
  runtime: { name: "crun", noPivot: true },
  containers: [{
    id: "missing-binary",
    bundle: "/pod/missing-binary",
    restart: { policy: "never" },
  }],
  pod: { exitCode: { from: "first-failure" }, endWhen: "all-ended" },
};

/** What every good pod boot shows, whichever runtime ran it. */
const podLines: (string | RegExp)[] = [
  "VM-MARK web running",
  "VM-MARK web done",
  "VM-MARK flaky first run fails",
  "VM-MARK flaky second run",
  "VM-MARK orphans left 8 sleepers",
  "VM-MARK zombies=0",
  // The init's own log (LogTape text format on the console).
  /Restarting container flaky in \d+ ms/,
  "Pod ended with exit code 0",
];

/**
 * The bundled init (`deno task bundle`, dist/weft-init.js) and its pods:
 * the good pod on crun and on runc, and the broken pod.
 */
export function bundleImage(init: string): Image {
  const scenario = (name: string, config: string, expect: Expectation): Scenario => ({
    name,
    // --exit-port: the init writes the pod's exit code to isa-debug-exit before it powers off.
    initArgs: ["--config", config, "--exit-port", "0xf4"],
    expect,
    // The init's own word that a container's create and start succeeded.
    firstRunning: /Container \S+ is running with pid \d+/,
  });
  const good: Expectation = { exitCode: 0, lines: podLines };
  return {
    spec: {
      init,
      files: {
        "/etc/weft/pod-crun.json": JSON.stringify(podConfig("crun"), null, 2),
        "/etc/weft/pod-runc.json": JSON.stringify(podConfig("runc"), null, 2),
        "/etc/weft/broken.json": JSON.stringify(brokenPod, null, 2),
      },
      bundles: podBundles,
    },
    scenarios: {
      "pod-crun": scenario("pod-crun", "/etc/weft/pod-crun.json", good),
      "pod-runc": scenario("pod-runc", "/etc/weft/pod-runc.json", good),
      // Judged against the good pod's expectation: the verdict must say FAIL.
      "broken": { ...scenario("broken", "/etc/weft/broken.json", good), firstRunning: undefined },
    },
  };
}
