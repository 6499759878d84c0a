import assert from "node:assert/strict";
import { ControlServer, listenControl } from "./mod.ts";
import { FakeTarget } from "./testdata/fake_target.ts";

const CLI = new URL("./cli.ts", import.meta.url).pathname;

async function weftCtl(
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

Deno.test("weft-ctl drives every call and exits with exec's code", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weft-ctl-" });
  const path = `${dir}/control.sock`;
  const target = new FakeTarget();
  const server = new ControlServer(target, { version: "1.2.3" });
  const listener = await listenControl(server, { transport: "unix", path });
  const ctl = (...args: string[]) => weftCtl(["--socket", path, ...args]);
  try {
    const health = await ctl("health");
    assert.equal(health.code, 0, health.stderr);
    assert.match(health.stdout, /version: 1\.2\.3\nuptime: .*\nruntime: fake/);

    const status = await ctl("status");
    assert.match(status.stdout, /^pod running \(runtime fake/);
    assert.match(status.stdout, /CONTAINER +STATE +PID[^\n]*\nweb +running +100 /);
    const json = JSON.parse((await ctl("--json", "status")).stdout);
    assert.deepEqual(Object.keys(json.containers), ["web", "db"]);
    assert.match(
      (await ctl("status", "web")).stdout,
      /^web: running, pid 100, 0 restart\(s\)\nno exit yet/,
    );

    server.logs.append("web", "stdout", "to stdout");
    server.logs.append("web", "stderr", "to stderr");
    const logs = await ctl("logs", "web", "--tail", "5");
    assert.deepEqual([logs.stdout, logs.stderr], ["to stdout\n", "to stderr\n"]);

    target.emit({
      type: "container-exited",
      id: "web",
      at: 0,
      pid: 7,
      code: 3,
      signal: null,
      status: 3,
      restartCount: 0,
    });
    const events = await ctl("events");
    assert.match(
      events.stdout,
      /^1 {2}1970-01-01T00:00:00\.000Z {2}container-exited {2}web {2}pid=7 code=3 signal=null status=3/,
    );
    assert.equal(JSON.parse((await ctl("--json", "events", "--after", "0")).stdout).seq, 1);

    assert.equal((await ctl("kill", "web", "HUP")).code, 0);
    assert.equal((await ctl("restart", "web")).code, 0);
    const exec = await ctl("exec", "-e", "X=1", "web", "--", "sh", "-c", "exit 3");
    assert.deepEqual([exec.code, exec.stdout, exec.stderr], [3, "sh -c exit 3\n", "err\n"]);
    const fed = await weftCtl(["--socket", path, "exec", "-i", "web", "--", "cat"], "fed\n");
    assert.deepEqual([fed.code, fed.stdout], [1, "cat\nfed\n"]);

    const refused = await ctl("kill", "web", "NOPE");
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^weft-ctl: POST \/v1\/containers\/web\/signal refused \(400\): body\.signal: Invalid signal "NOPE"/,
    );
    assert.equal((await ctl("stop", "db")).code, 0);
    assert.match((await ctl("stop")).stdout, /pod stopping/);
    assert.deepEqual(target.calls, [
      "signal web SIGHUP",
      "restart web",
      "exec web sh -c exit 3",
      "exec web cat",
      "stop db",
      "stop-pod control API: weft-ctl stop",
    ]);
  } finally {
    await listener.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("weft-ctl says clearly when nothing listens and when the command line is wrong", async () => {
  const gone = await weftCtl(["--socket", "/nonexistent/control.sock", "status"]);
  assert.equal(gone.code, 3);
  assert.match(
    gone.stderr,
    /Cannot reach the weft-init control API at unix:\/nonexistent\/control\.sock/,
  );
  const usage = await weftCtl(["kill", "web"]);
  assert.deepEqual([usage.code, usage.stderr], [2, "weft-ctl: Usage: weft-ctl kill ID SIG\n"]);
  const unknown = await weftCtl(["--bogus"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown option '--bogus'/);
  const both = await weftCtl(["--socket", "/x", "--tcp", "127.0.0.1:1", "status"]);
  assert.match(both.stderr, /Give one of --socket, --vsock and --tcp/);
  assert.match((await weftCtl(["--help"])).stdout, /exec \[-e K=V\]/);
});

Deno.test("weft-ctl reports a timeout when the endpoint never answers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weft-ctl-" });
  const path = `${dir}/mute.sock`;
  // Accepts connections and never answers.
  const mute = Deno.listen({ transport: "unix", path });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of mute) held.push(conn);
  })();
  try {
    const result = await weftCtl(["--socket", path, "--timeout", "300", "status"]);
    assert.equal(result.code, 4);
    assert.match(result.stderr, /No answer from unix:.*mute\.sock within 300 ms/);
  } finally {
    mute.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("weft-ctl --tcp reaches a TCP endpoint on 127.0.0.1", async () => {
  const listener = await listenControl(new ControlServer(new FakeTarget(), { version: "7.7.7" }), {
    transport: "tcp",
    hostname: "127.0.0.1",
    port: 0,
  });
  try {
    const { port } = listener.addr as Deno.NetAddr;
    const result = await weftCtl(["--tcp", `127.0.0.1:${port}`, "--json", "health"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).version, "7.7.7");
    const bad = await weftCtl(["--vsock", "nope", "health"]);
    assert.deepEqual([bad.code, bad.stderr], [
      2,
      'weft-ctl: Invalid --vsock "nope": expected CID:PORT\n',
    ]);
  } finally {
    await listener.shutdown();
  }
});
