import assert from "node:assert/strict";
import { readProcStat } from "@weft/runtime";

const FIXTURE = new URL("./_pid1_fixture.ts", import.meta.url).pathname;
const DENO = Deno.execPath();

/** Runs the fixture to its end; returns its exit, and the JSON lines it printed. */
async function runFixture(
  prefix: readonly string[],
  args: readonly string[],
): Promise<
  { code: number; signal: Deno.Signal | null; lines: Record<string, unknown>[]; stderr: string }
> {
  const argv = [...prefix, DENO, "run", "-A", FIXTURE, ...args];
  const { code, signal, stdout, stderr } = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  const lines = text.split("\n").filter((line) => line.startsWith("{")).map((line) =>
    JSON.parse(line)
  );
  if (lines.length === 0) {
    throw new Error(`The fixture printed nothing: ${new TextDecoder().decode(stderr)}`);
  }
  return { code, signal, lines, stderr: new TextDecoder().decode(stderr) };
}

function mountPoints(): string[] {
  return Deno.readTextFileSync("/proc/self/mountinfo").split("\n").filter((l) => l).map((l) =>
    l.split(" ")[4]
  );
}

Deno.test("as PID 1 of a fresh mount namespace, the mount step mounts each filesystem once", async () => {
  const scratch = await Deno.makeTempDir({ prefix: "wip-reaper-mounts-" });
  try {
    const { lines } = await runFixture(
      ["unshare", "--pid", "--fork", "--mount", "--propagation", "private"],
      ["mounts", scratch],
    );
    const result = lines.at(-1)!.result as {
      pid: number;
      before: number;
      afterFirst: number;
      afterSecond: number;
      first: { target: string; state: string }[];
      second: { target: string; state: string; found: string }[];
    };
    assert.equal(result.pid, 1);
    assert.deepEqual(
      result.first.map((r) => [r.target.slice(scratch.length), r.state]),
      [
        ["/proc", "mounted"],
        ["/sys", "mounted"],
        ["/dev", "mounted"],
        ["/dev/pts", "mounted"],
        ["/dev/shm", "mounted"],
        ["/run", "mounted"],
        ["/sys/fs/cgroup", "mounted"],
      ],
    );
    assert.equal(result.afterFirst, result.before + 7);
    // The second run finds everything and stacks nothing.
    assert.equal(result.afterSecond, result.afterFirst);
    assert.deepEqual(
      result.second.map((r) => [r.state, r.found]),
      [
        ["present", "proc"],
        ["present", "sysfs"],
        ["present", "devtmpfs"],
        ["present", "devpts"],
        ["present", "tmpfs"],
        ["present", "tmpfs"],
        ["present", "cgroup2"],
      ],
    );
    // The mounts lived in the namespace only.
    assert.ok(!mountPoints().some((point) => point.startsWith(scratch)));
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("as PID 1, the mount step leaves mounts that are already there alone", async () => {
  const { lines } = await runFixture(
    ["unshare", "--pid", "--fork", "--mount", "--propagation", "private"],
    ["mounts"],
  );
  const result = lines.at(-1)!.result as {
    before: number;
    afterFirst: number;
    afterSecond: number;
    first: { target: string; state: string }[];
    second: { target: string; state: string }[];
  };
  const present = result.first.filter((r) => r.state === "present").length;
  const mounted = result.first.filter((r) => r.state === "mounted").length;
  assert.equal(present + mounted, 7);
  assert.ok(present >= 3, "proc, sysfs and /dev are mounted on any host");
  assert.equal(result.afterFirst, result.before + mounted);
  assert.equal(result.afterSecond, result.afterFirst);
  assert.ok(result.second.every((r) => r.state === "present"));
});

Deno.test("powering off as PID 1 of a PID namespace ends the namespace like SIGINT", async () => {
  const { code, signal, lines } = await runFixture(["unshare", "--pid", "--fork"], ["poweroff"]);
  assert.equal(lines[0].poweringOff, 1);
  // reboot(2) in a child PID namespace kills its init; the parent sees SIGINT
  // (unshare re-raises it on itself).
  assert.equal(signal, "SIGINT");
  assert.equal(code, 130);
});

Deno.test("when reboot(2) fails, the init stays alive instead of exiting", async () => {
  // Without CAP_SYS_BOOT, reboot(2) fails with EPERM.
  const child = new Deno.Command("unshare", {
    args: [
      "--pid",
      "--fork",
      "--kill-child",
      "setpriv",
      "--bounding-set",
      "-sys_boot",
      DENO,
      "run",
      "-A",
      FIXTURE,
      "poweroff",
    ],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  assert.match(value ?? "", /"poweringOff":1/);
  const exited = child.status.then(() => true);
  const alive = await Promise.race([
    exited,
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1500)),
  ]);
  assert.equal(alive, false, "the init exited after a failed power-off");
  // unshare ignores TERM while it waits; once it dies, --kill-child takes the init down.
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
});

Deno.test("powerOff refuses to run in a process that is not PID 1", async () => {
  const { code, stderr } = await runFixture([], ["poweroff"]);
  assert.match(stderr, /Cannot power-off: this process is not PID 1 \(pid \d+\); exit instead/);
  assert.equal(code, 1);
});

Deno.test("Ctrl-Alt-Del routing is refused outside PID 1, and by the kernel inside a PID namespace", async () => {
  const outside = await runFixture([], ["cad"]);
  assert.match(
    String((outside.lines.at(-1)!.result as { error: string }).error),
    /^Cannot route Ctrl-Alt-Del to SIGINT: this process is not PID 1 \(pid \d+\)$/,
  );
  // reboot(2) accepts only power-off, halt and restart from a namespace's init.
  const inside = await runFixture(["unshare", "--pid", "--fork"], ["cad"]);
  assert.deepEqual(inside.lines.at(-1)!.result, {
    error: "Cannot route Ctrl-Alt-Del to SIGINT: Invalid argument",
    code: "EINVAL",
  });
});

function processState(pid: number): string | undefined {
  return readProcStat(pid)?.state;
}

// The kernel drops TSTP, TTIN and TTOU sent to a process of an orphaned
// process group (one whose parent is in another session), which is what a
// test runner started in the background by a shell is. Then nothing could stop
// the control either and the test would prove nothing. So the control and the
// init run as jobs of a job-control shell in a session of their own: each job
// is its own process group, with the shell as its parent in the same session.
const JOBS = [
  "set -m",
  "sleep 10 &",
  "echo control $!",
  '"$@" &',
  "echo fixture $!",
  "wait $!",
].join("\n");

Deno.test("SIGTSTP, SIGTTIN and SIGTTOU do not stop the init", async () => {
  const session = new Deno.Command("setsid", {
    args: ["bash", "-c", JOBS, "bash", DENO, "run", "-A", FIXTURE, "stop-signals"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const lines = session.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  async function line(): Promise<string> {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) break;
      buffered += value;
    }
    const end = buffered.indexOf("\n");
    const text = end < 0 ? buffered : buffered.slice(0, end);
    buffered = end < 0 ? "" : buffered.slice(end + 1);
    return text;
  }
  const control = Number((await line()).replace("control ", ""));
  const fixture = Number((await line()).replace("fixture ", ""));
  assert.match(await line(), /"ready"/);
  try {
    for (const signal of ["SIGTSTP", "SIGTTIN", "SIGTTOU"] as const) {
      Deno.kill(control, signal);
      Deno.kill(fixture, signal);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Control: the same signal stops a process that does not handle it.
      assert.equal(processState(control), "T", `${signal} stops an unprepared process`);
      assert.notEqual(processState(fixture), "T", `${signal} stopped the init`);
      Deno.kill(control, "SIGCONT");
    }
  } finally {
    Deno.kill(control, "SIGKILL");
  }
  await session.stdin.close();
  const result = JSON.parse(await line() || "{}").result;
  assert.ok(result.ticks > 30, `the init kept running (${result.ticks} ticks)`);
  assert.equal((await session.status).code, 0);
});
