import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";

const FIXTURE = new URL("./_pid1_fixture.ts", import.meta.url).pathname;
const PID1 = ["unshare", "--pid", "--fork", "--mount-proc"];
const MODES = [["pid1", PID1], ["subreaper", []]] as const;
const runtimes = [await requireBinary("runc"), await requireBinary("crun")];

/** Runs a fixture scenario with a fresh state root; returns its result line. */
async function scenario(
  prefix: readonly string[],
  args: readonly string[],
): Promise<Record<string, unknown>> {
  const root = await Deno.makeTempDir({ prefix: "wip-reaper-root-" });
  try {
    const argv = [
      ...prefix,
      Deno.execPath(),
      "run",
      "-A",
      FIXTURE,
      args[0],
      args[1],
      root,
      ...args.slice(2),
    ];
    const { code, stdout, stderr } = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdout: "piped",
      stderr: "piped",
    }).output();
    const line = new TextDecoder().decode(stdout).split("\n").find((l) =>
      l.startsWith('{"result"')
    );
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.ok(line, `no result: ${new TextDecoder().decode(stderr)}`);
    return JSON.parse(line).result;
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

for (const [index, name] of ["runc", "crun"].entries()) {
  for (const [mode, prefix] of MODES) {
    Deno.test({
      name: `${name}: a container that forks 100 sleeps and exits leaves no zombie (${mode})`,
      ignore: runtimes[index] === undefined,
      async fn(): Promise<void> {
        const result = await scenario(prefix, ["zombies", name]);
        assert.equal(result.mode, mode);
        if (mode === "pid1") assert.equal(result.pid, 1);
        // The container's own exit was attributed to its pid file's pid.
        assert.equal(result.container, 7);
        assert.equal(result.sleeps, 100);
        assert.deepEqual(result.zombies, []);
        // As PID 1 nothing else is left in the namespace but the init itself.
        assert.deepEqual(result.others, []);
        assert.deepEqual(result.stateRoot, []);
      },
    });

    Deno.test({
      name: `${name}: an exit reaped before anyone waits for it is still delivered (${mode})`,
      ignore: runtimes[index] === undefined,
      async fn(): Promise<void> {
        const result = await scenario(prefix, ["early", name]);
        assert.equal(result.mode, mode);
        assert.equal(result.reapedBefore, true);
        assert.ok((result.unclaimedBefore as number) >= 1);
        const exit = result.exit as { pid: number; status: number; code: number };
        assert.equal(exit.pid, result.pid);
        assert.equal(exit.status, 5);
        assert.equal(exit.code, 5);
      },
    });

    Deno.test({
      name:
        `${name}: 1,000 orphans die during 100 runtime calls: each gets its real status (${mode})`,
      ignore: runtimes[index] === undefined,
      async fn(): Promise<void> {
        const result = await scenario(prefix, ["storm", name, "1000"]);
        assert.equal(result.mode, mode);
        assert.equal(result.orphans, 1000);
        assert.equal(result.reaped, 1000);
        assert.deepEqual(result.mismatches, []);
        // No ECHILD or any other failure: every call returned its real result.
        assert.deepEqual(result.callFailures, []);
        assert.equal(result.callsOk, 100);
        // The container killed by delete --force was reaped as KILL (128 + 9).
        assert.equal(result.container, 137);
        assert.deepEqual(result.zombies, []);
        assert.deepEqual(result.stateRoot, []);
      },
    });
  }
}
