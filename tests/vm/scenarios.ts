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
  firstRunning: string | RegExp;
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
        firstRunning: "VM-MARK crun-hello running",
      },
    },
  };
}
