// Runs setUpMachine in a fresh network and UTS namespace (the test starts it
// under `unshare --net --uts`) and prints what the namespace then looks like
// (and the error, when setUpMachine refused the command line).
import { setUpLogging } from "../_logging.ts";
import { setUpMachine } from "../machine.ts";

await setUpLogging("info", "text");

/**
 * "pong" when lo answers a TCP round trip over 127.0.0.1, else the error's
 * name (a fresh namespace's lo is down: NetworkUnreachable). Not
 * /sys/class/net/lo/flags: that sysfs is the host's network namespace's.
 */
async function loReply(): Promise<string> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept().then(async (conn) => {
    await conn.write(new TextEncoder().encode("pong"));
    conn.close();
  });
  let conn;
  try {
    conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  } catch (error) {
    // The pending accept fails once `using` closes the listener: nothing to report.
    accepted.catch(() => {});
    return (error as Error).name;
  }
  const reply = new Uint8Array(4);
  await conn.read(reply);
  conn.close();
  await accepted;
  return new TextDecoder().decode(reply);
}

let ok;
try {
  ok = setUpMachine(
    {
      hostname: "from-pod-file",
      network: { interface: "lo", address: "127.0.0.5/8", gateway: "127.0.0.1", dns: [] },
    },
    { cmdline: `quiet weft.hostname=${Deno.args[0]} weft.seed=${"ab".repeat(32)} -- run` },
  );
} catch (error) {
  // deno-lint-ignore no-console
  console.log(JSON.stringify({
    error: (error as Error).message,
    hostname: Deno.hostname(),
    reply: await loReply(),
  }));
  Deno.exit(0);
}
// deno-lint-ignore no-console
console.log(JSON.stringify({ ok, hostname: Deno.hostname(), reply: await loReply() }));
