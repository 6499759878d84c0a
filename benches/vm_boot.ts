// deno-lint-ignore-file no-console
/**
 * Where a weft VM's boot time goes, under QEMU TCG: boots a one-container
 * pod (busybox `echo`) in each layout and prints, per layout, the time from
 * QEMU's start to each phase and to the container's first output line,
 * next to a floor: a minimal static PID 1 (a busybox shell script as
 * `/init` of an initramfs) that mounts what crun needs and runs the same
 * bundle with `crun run`. The machines are shared, so run it on an idle
 * one, several rounds, and read the medians.
 *
 * Run: deno run -A benches/vm_boot.ts [--rounds 3] [--only disk,initramfs,...]
 */
import { parseArgs } from "node:util";
import {
  bootImage,
  bootTimeline,
  buildImage,
  type BuildOptions,
  ensureKernel,
  type VmManifest,
  writeCpio,
} from "@weft/vm";
import { copyInto, installBusybox, libraries, makeSkeleton } from "../packages/vm/system_tree.ts";
import { bundleInit } from "../tests/vm/init_bundle.ts";
import { writePodDir } from "../tests/vm/scenarios.ts";
import { CACHE_DIR } from "../tests/vm/boot_scenario.ts";
import { median } from "../tests/_init_profile.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    only: { type: "string" },
  },
});

const MARK = "VM-MARK hello";
const podFile = await writePodDir(`${CACHE_DIR}/pods`, {
  name: "bench-hello",
  pod: {
    runtime: { name: "crun" },
    containers: [{ id: "hello", bundle: "bundles/hello", restart: { policy: "never" } }],
  },
  bundles: [{ id: "hello", args: ["sh", "-c", `echo ${MARK}`] }],
  expect: { exitCode: 0, lines: [] },
});
const init = await bundleInit();

/** The floor: busybox sh as PID 1, crun run of the same bundle, power off. */
async function floorImage(): Promise<string> {
  const dir = `${CACHE_DIR}/bench-floor`;
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const root = `${dir}/root`;
  await makeSkeleton(root, ["pod"]);
  await installBusybox(root, "/bin/busybox");
  const crun = new TextDecoder().decode(
    (await new Deno.Command("sh", { args: ["-c", "command -v crun"], stdout: "piped" }).output())
      .stdout,
  ).trim();
  await copyInto(root, crun, "/usr/bin/crun");
  for (const lib of await libraries(crun)) await copyInto(root, lib);
  await new Deno.Command("cp", {
    args: ["-a", podFile.replace(/pod\.json$/, "bundles"), `${root}/pod/`],
  }).output();
  await Deno.writeTextFile(
    `${root}/init`,
    `#!/bin/busybox sh
export PATH=/usr/bin:/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
echo "weft-vm early init: started"
mount -t tmpfs tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo "floor: starting crun"
crun run --no-pivot -b /pod/bundles/hello hello
echo "floor: crun exited $?"
poweroff -f
`,
    { mode: 0o755 },
  );
  await writeCpio(root, `${dir}/initrd.cpio`);
  await Deno.remove(root, { recursive: true });
  const kernel = await ensureKernel({ cacheDir: CACHE_DIR });
  await Deno.copyFile(kernel.vmlinux, `${dir}/vmlinux`);
  const manifest: VmManifest = {
    version: 1,
    key: "floor",
    root: "initramfs",
    kernel: "vmlinux",
    initrd: "initrd.cpio",
    disks: [],
    append: "console=ttyS0 quiet panic=-1 rdinit=/init",
    memoryMib: 1024,
    pod: { file: podFile, runtime: "crun" },
  };
  await Deno.writeTextFile(`${dir}/vm.json`, JSON.stringify(manifest));
  return dir;
}

/** Each layout's image in a directory of its own: the image cache keeps only the newest few. */
function out(name: string): string {
  return `${CACHE_DIR}/bench/${name}`;
}

interface Layout {
  name: string;
  image: () => Promise<string>;
  machine?: "pc" | "microvm";
  /** Off: the boot without weft-vm's boot-time kernel words, for comparison. */
  tuneKernel?: boolean;
}

/** A layout built by weft-vm into a directory of its own (shared by layouts that differ in machine). */
function built(
  name: string,
  dir: string,
  options: Pick<BuildOptions, "root" | "codeCache">,
  machine?: "microvm",
): Layout {
  return {
    name,
    machine,
    image: async () =>
      (await buildImage(podFile, { cacheDir: CACHE_DIR, init, outDir: out(dir), ...options })).dir,
  };
}

const layouts: Layout[] = [
  built("disk", "disk", {}),
  built("disk-no-code-cache", "disk-ncc", { codeCache: false }),
  built("initramfs", "i", { root: "initramfs" }),
  built("initramfs-no-code-cache", "i-ncc", { root: "initramfs", codeCache: false }),
  built("initramfs-microvm", "i", { root: "initramfs" }, "microvm"),
  built("disk-microvm", "disk", {}, "microvm"),
  { ...built("disk", "disk", {}), name: "disk, tuneKernel: false", tuneKernel: false },
  { name: "floor (busybox sh + crun run)", image: floorImage },
];

const only = values.only?.split(",");
const chosen = layouts.filter((l) => only === undefined || only.some((o) => l.name.startsWith(o)));
const dirs = [];
for (const layout of chosen) dirs.push(await layout.image());
const runs: Record<string, number>[][] = chosen.map(() => []);
// Rounds rotate through the layouts, so that load from elsewhere hits all alike.
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [i, layout] of chosen.entries()) {
    const result = await bootImage(dirs[i], {
      machine: layout.machine,
      tuneKernel: layout.tuneKernel,
      timeoutSeconds: 240,
    });
    const row: Record<string, number> = {};
    for (const phase of bootTimeline(result.lines, result.ms)) row[phase.name] = phase.ms;
    const mark = result.lines.find((l) => l.text.includes(MARK));
    if (mark !== undefined) row["container's first output"] = mark.ms;
    runs[i].push(row);
    console.error(`${layout.name} round ${round + 1}: ${JSON.stringify(row)}`);
  }
}
const rows = chosen.map((layout, i) => {
  const medianOf = (key: string): string => {
    const all = runs[i].map((r) => r[key]).filter((v) => v !== undefined);
    return all.length === 0 ? "-" : String(median(all));
  };
  return [
    layout.name,
    medianOf("kernel done (early init started)"),
    medianOf("early init switched to the disk root"),
    medianOf("init's first log line (Deno started)"),
    medianOf("first container running"),
    medianOf("container's first output"),
    medianOf("QEMU exited"),
  ];
});
const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
console.log(`Medians of ${values.rounds} boots, ms since QEMU started (load average ${load}):\n`);
const header = [
  "layout",
  "kernel done",
  "disk root mounted",
  "Deno's first log line",
  "first container running",
  "container's output",
  "QEMU exited",
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) =>
  `| ${cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join(" | ")} |`;
console.log(line(header));
console.log(
  `| ${widths.map((w, i) => i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`).join(" | ")} |`,
);
for (const row of rows) console.log(line(row));
