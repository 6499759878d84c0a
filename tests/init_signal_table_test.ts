// Every signal of weft-init's SIGNAL_TABLE, sent to the init as PID 1 and as
// a subreaper child: forwarded ones reach the container, ignored ones change
// nothing (the init neither ends nor stops), and PWR stops the pod.
import { deepStrictEqual, ok as assert, strictEqual as assertEquals } from "node:assert/strict";
import { SIGNAL_TABLE } from "@weft/init";
import { podTest, startInit, waitForStatus } from "./_init_harness.ts";

const FORWARDED = SIGNAL_TABLE.filter((entry) => entry.action === "forward")
  .map((entry) => entry.name.slice(3));
/** The ignored ones Deno names, then glibc's two and real-time ones by number. */
const IGNORED = ["TSTP", "TTIN", "TTOU", "PIPE", "32", "33", "34", "37", "50", "64"];

async function kill(pid: number, signal: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("kill", {
    args: [`-${signal}`, String(pid)],
    stderr: "piped",
  }).output();
  assertEquals(code, 0, `kill -${signal} ${pid}: ${new TextDecoder().decode(stderr)}`);
}

/** The state letter of /proc/PID/stat (R, S, T for stopped, Z...). */
async function state(pid: number): Promise<string> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
}

podTest(
  "every signal of the table is forwarded, ignored or stops the pod as it says",
  async ({ pod, runtime, mode }) => {
    const traps = FORWARDED.map((name) => `trap 'echo got ${name}' ${name}`).join("; ");
    const config = await pod.write(runtime, {
      containers: [{
        id: "wi-sigs",
        bundle: await pod.bundle(
          `${traps}; trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 1 & wait $!; done`,
        ),
      }],
    });
    await using init = startInit(config, mode);
    await waitForStatus(pod, (s) => s.containers["wi-sigs"]?.state === "running");
    await init.waitForOutput((out) => out.includes("[wi-sigs] ready\n"));
    const pid = await init.pid();
    const got = (out: string) =>
      out.split("\n").filter((line) => line.startsWith("[wi-sigs] got "));

    // Forwarded: each reaches the container, in turn.
    for (const [i, name] of FORWARDED.entries()) {
      await kill(pid, name);
      await init.waitForOutput((out) => got(out).length === i + 1);
      assertEquals(got(init.stdout)[i], `[wi-sigs] got ${name}`);
    }

    // Ignored: the init lives on, is not stopped, and forwards nothing.
    for (const signal of IGNORED) {
      await kill(pid, signal);
      assert(
        ["R", "S", "D"].includes(await state(pid)),
        `the init is ${await state(pid)} after ${signal}`,
      );
    }
    // A forwarded marker after them: whatever they caused would come first.
    await kill(pid, "USR1");
    await init.waitForOutput((out) => got(out).length === FORWARDED.length + 1);
    assertEquals(got(init.stdout).at(-1), "[wi-sigs] got USR1");
    assertEquals((await pod.status())!.containers["wi-sigs"].state, "running");

    // PWR: a graceful stop, like TERM.
    await kill(pid, "PWR");
    const { code, stdout, stderr } = await init.exited;
    assertEquals(code, 0, stderr);
    assert(stdout.includes("[wi-sigs] got TERM\n"), stdout);
    const status = (await pod.status())!;
    assertEquals(status.pod.stopReason, "received SIGPWR");
    deepStrictEqual(Object.values(status.containers).map((c) => c.state), ["stopped"]);
    for (const signal of ["SIGTSTP", "SIGTTIN", "SIGTTOU"]) {
      assert(stderr.includes(`Ignored ${signal}`), `${signal} was not logged:\n${stderr}`);
    }
  },
  { runtimes: ["runc"] },
);

podTest(
  "QUIT while no container runs neither kills the init nor goes unlogged",
  async ({ pod, runtime, mode }) => {
    const config = await pod.write(runtime, {
      containers: [{
        id: "wi-backoff",
        bundle: await pod.bundle("exit 3"),
        restart: { policy: "on-failure", backoff: { initial: 60_000 } },
      }],
    });
    await using init = startInit(config, mode);
    await waitForStatus(pod, (s) => s.containers["wi-backoff"]?.state === "backoff");
    await kill(await init.pid(), "QUIT");
    await init.waitForOutput((_, err) => err.includes("Received SIGQUIT"));
    assertEquals((await pod.status())!.pod.state, "running");
    await init.kill("SIGTERM");
    const { code, stderr } = await init.exited;
    assertEquals(code, 0, stderr);
  },
  { runtimes: ["runc"] },
);
