// Runs setUpMachine in a fresh network and UTS namespace (the test starts it
// under `unshare --net --uts`) and prints what the namespace then looks like.
import { setUpLogging } from "../_logging.ts";
import { setUpMachine } from "../machine.ts";

await setUpLogging("info", "text");

const ok = setUpMachine(
  {
    hostname: "from-pod-file",
    network: { interface: "lo", address: "127.0.0.5/8", gateway: "127.0.0.1", dns: [] },
  },
  { cmdline: `quiet weft.hostname=${Deno.args[0]} weft.seed=${"ab".repeat(32)} -- run` },
);
// lo answers: a TCP round trip over 127.0.0.1.
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const accepted = listener.accept().then(async (conn) => {
  await conn.write(new TextEncoder().encode("pong"));
  conn.close();
});
const conn = await Deno.connect({
  hostname: "127.0.0.1",
  port: (listener.addr as Deno.NetAddr).port,
});
const reply = new Uint8Array(4);
await conn.read(reply);
conn.close();
await accepted;
listener.close();
// deno-lint-ignore no-console
console.log(JSON.stringify({
  ok,
  hostname: Deno.hostname(),
  loFlags: Number(Deno.readTextFileSync("/sys/class/net/lo/flags").trim()),
  reply: new TextDecoder().decode(reply),
}));
