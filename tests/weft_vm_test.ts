/**
 * `weft-vm` from its README's words: the commands of packages/vm/README.md's
 * "Try it" block, run as written (argv, no shell) on crun and on runc, exit
 * with the example pod's code; Ctrl-C stops the pod gracefully; a broken pod
 * fails with the pod's code and says why. Each boot is a real QEMU VM (TCG);
 * the kernel and image parts are cached under .tools/vm.
 */
import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { CACHE_DIR, oneVmAtATime } from "./vm/boot_scenario.ts";
import { command } from "./vm/weft_vm_command.ts";
import { writePodDir } from "./vm/scenarios.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const tools = await Promise.all(
  ["qemu-system-x86_64", "cpio", "mke2fs", "apt-get"].map((name) => requireBinary(name)),
);
const ignore = tools.includes(undefined);

/** The "Try it" commands of the README, each as argv. */
async function readmeCommands(): Promise<string[][]> {
  const readme = await Deno.readTextFile(`${ROOT}packages/vm/README.md`);
  const block = readme.split("## Try it")[1].split("```sh\n")[1].split("```")[0];
  return block.trim().split("\n").map((line) => line.trim().split(/\s+/));
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function runAll(argvs: string[][], out: string): Promise<Outcome> {
  let last: Outcome = { code: -1, stdout: "", stderr: "" };
  for (const argv of argvs) {
    const result = await oneVmAtATime(() => command(argv, out).output());
    last = {
      code: result.code,
      stdout: new TextDecoder().decode(result.stdout),
      stderr: new TextDecoder().decode(result.stderr),
    };
    if (argv !== argvs.at(-1)) assert.equal(last.code, 0, `${argv.join(" ")}:\n${last.stderr}`);
  }
  return last;
}

const images: Record<string, string> = {};
// The images (hard links to the cached system part, and a pod disk each) go with the test run.
globalThis.addEventListener("unload", () => {
  for (const dir of Object.values(images)) Deno.removeSync(dir, { recursive: true });
});

for (const runtime of ["crun", "runc"]) {
  Deno.test({
    name: `weft-vm builds and boots the example pod on ${runtime} as its README says`,
    ignore,
    async fn(): Promise<void> {
      const argvs = (await readmeCommands()).map((argv) =>
        argv.map((word) => word === "crun" ? runtime : word)
      );
      assert.deepEqual(argvs.map((a) => a.slice(0, 4).join(" ")), [
        "deno run -A examples/pod/build_bundles.ts",
        "deno task vm build",
        "deno task vm run",
      ]);
      await Deno.mkdir(CACHE_DIR, { recursive: true });
      const out = await Deno.makeTempDir({ dir: CACHE_DIR, prefix: `readme-${runtime}-` });
      images[runtime] = out;
      const { code, stdout, stderr } = await runAll(argvs, out);
      const explain = `${stdout}\n${stderr}`;
      assert.equal(code, 0, explain);
      assert.match(stdout, new RegExp(`weft-init supervising as pid1 with runtime ${runtime}`));
      assert.match(stdout, /\[demo-web\] web: finished/);
      assert.match(stdout, /\[demo-db\] db: saving and stopping/);
      assert.match(stdout, /Pod ended with exit code 0/);
    },
  });
}

Deno.test({
  name: "Ctrl-C on weft-vm run stops the pod gracefully, in order, and exits with the pod's code",
  ignore,
  async fn(): Promise<void> {
    // The crun image of the README test when it ran first; else build one the same way.
    let image = images.crun;
    if (image === undefined) {
      image = await Deno.makeTempDir({ dir: CACHE_DIR, prefix: "ctrl-c-" });
      images.ctrlC = image;
      await runAll((await readmeCommands()).slice(0, 2), image);
    }
    let stdout = "";
    let interrupted = false;
    const { code, stderr } = await oneVmAtATime(async () => {
      const child = command(["deno", "task", "vm", "run", image], image).spawn();
      const stderr = new Response(child.stderr).text();
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        stdout += chunk;
        // Interrupt once the web job runs: the pod is up, the stop must be graceful.
        if (!interrupted && /Container demo-web is running/.test(stdout)) {
          child.kill("SIGINT");
          interrupted = true;
        }
      }
      return { code: (await child.status).code, stderr: await stderr };
    });
    const explain = `${stdout}\n${stderr}`;
    assert.ok(interrupted, `demo-web never ran:\n${explain}`);
    assert.match(stdout, /Stopping the pod: received SIGINT/, explain);
    assert.match(stdout, /\[demo-db\] db: saving and stopping/, explain);
    // demo-web gets TERM first (it depends on demo-db); as its container's PID 1 without a
    // TERM trap it ignores it and finishes within its grace: the pod's code is its 0.
    assert.match(
      stdout,
      /Stopping the pod: received SIGINT[^]*Sending SIGTERM to container demo-web[^]*Sending SIGTERM to container demo-db/,
      explain,
    );
    assert.match(stdout, /\[demo-web\] web: finished/, explain);
    assert.equal(code, 0, explain);
    assert.match(stderr, /stopping the pod gracefully/);
  },
});

Deno.test({
  name: "weft-vm run on a broken pod exits with the pod's code and says why",
  ignore,
  async fn(): Promise<void> {
    const podFile = await writePodDir(`${CACHE_DIR}/pods`, {
      name: "broken",
      pod: {
        runtime: { name: "crun" },
        containers: [{ id: "broken", bundle: "bundles/broken", restart: { policy: "never" } }],
      },
      bundles: [{ id: "broken", args: ["/no/such/binary"] }],
      expect: { exitCode: 125, lines: [] },
    });
    const { code, stdout, stderr } = await runAll([["deno", "task", "vm", "run", podFile]], "");
    const explain = `${stdout}\n${stderr}`;
    // The container never ran: pod.exitCode first-failure gives 125.
    assert.equal(code, 125, explain);
    assert.match(stdout, /Cannot create container broken.*\/no\/such\/binary/, explain);
    assert.match(stderr, /weft-vm: the pod ended with exit code 125/, explain);
    assert.doesNotMatch(stdout, /Kernel panic/);
  },
});

const refusals: [string[], RegExp][] = [
  [["--net", "bridge"], /Invalid --net "bridge": expected none or user/],
  [
    ["--control-port", "0.0.0.0:7070"],
    /Invalid --control-port "0\.0\.0\.0:7070": the host side is 127\.0\.0\.1 only/,
  ],
  [
    ["--control-port", "70000"],
    /Invalid --control-port "70000": expected PORT or 127\.0\.0\.1:PORT/,
  ],
  [["--control-port", "7070", "--net", "none"], /--control-port needs --net user/],
  [["--root", "bogus"], /Invalid root "bogus": expected "disk" or "initramfs"/],
  [
    ["--append", "weft.ip=10.0.2.15/24 init=/bin/sh"],
    /Invalid kernel command-line word "init=\/bin\/sh": weft-vm sets init= itself/,
  ],
  [["--append=--"], /Invalid kernel command-line word "--": it would end/],
  [["--append", "weft.hostname=bad_name"], /weft\.hostname: expected a hostname/],
  [
    ["--vmm", "kvmtool"],
    /Invalid vmm "kvmtool": expected qemu, cloud-hypervisor, firecracker or auto/,
  ],
];

for (const [options, message] of refusals) {
  Deno.test(`weft-vm run refuses ${options.join(" ")} before it builds or boots`, async () => {
    const result = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "packages/vm/cli.ts", "run", "examples/pod/pod.json", ...options],
      cwd: ROOT,
      env: { WEFT_VM_CACHE: CACHE_DIR, NO_COLOR: "1" },
      stdin: "null",
    }).output();
    assert.equal(result.code, 2);
    assert.match(new TextDecoder().decode(result.stderr), message);
  });
}
