import assert from "node:assert/strict";
import { requireBinary } from "@weft/runtime/testing";
import { ConfigError, parseConfig } from "./config.ts";
import { KernelCommandLineError, parseCidr, parseKernelMachineArgs } from "./machine.ts";

const unshare = await requireBinary("unshare");

Deno.test("weft.* words of the kernel command line give hostname, network and seed", () => {
  const args = parseKernelMachineArgs(
    "console=ttyS0 weft.hostname=vm-1 weft.ip=10.0.2.15/24 weft.gw=10.0.2.2 " +
      "weft.dns=10.0.2.3,1.1.1.1 weft.seed=0a0B -- run weft.hostname=not-this-one",
  );
  assert.equal(args.hostname, "vm-1");
  assert.deepEqual(args.network, {
    interface: "eth0",
    address: "10.0.2.15/24",
    gateway: "10.0.2.2",
    dns: ["10.0.2.3", "1.1.1.1"],
  });
  assert.deepEqual([...args.seed!], [10, 11]);
  assert.equal(parseKernelMachineArgs("weft.seed=xyz").seed, undefined);
});

Deno.test("a bad weft.* word is refused in the pod file's words for the same field, naming the word", () => {
  const containers = [{ id: "web", bundle: "/b/web" }];
  /** What the pod file's rule says of `machine` (its single issue's message). */
  const podFileSays = (machine: unknown): string => {
    try {
      parseConfig({ containers, machine });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.issues.length, 1);
      return error.issues[0].message;
    }
    throw new Error("the pod file accepted it");
  };
  const cases: [string, string, unknown][] = [
    ["weft.hostname=no_underscores", "weft.hostname", { hostname: "no_underscores" }],
    [`weft.hostname=${"a".repeat(65)}`, "weft.hostname", { hostname: "a".repeat(65) }],
    [
      "weft.ip=10.0.2.15/24 weft.dns=10.0.2.3,10.0.2.300",
      "weft.dns",
      { network: { address: "10.0.2.15/24", dns: ["10.0.2.3", "10.0.2.300"] } },
    ],
    // Without weft.ip too: a name server nobody will use is still a mistake to report.
    ["weft.dns=ns1.example", "weft.dns", {
      network: { address: "10.0.2.15/24", dns: ["ns1.example"] },
    }],
    ["weft.ip=10.0.2.15 weft.gw=10.0.2.2", "weft.ip", { network: { address: "10.0.2.15" } }],
    [
      "weft.ip=10.0.2.15/24 weft.gw=10.0.2",
      "weft.gw",
      { network: { address: "10.0.2.15/24", gateway: "10.0.2" } },
    ],
  ];
  for (const [cmdline, word, machine] of cases) {
    const expected = podFileSays(machine);
    assert.match(expected, /^expected an? /);
    assert.throws(
      () => parseKernelMachineArgs(`console=ttyS0 ${cmdline} -- run`),
      (error: Error) => {
        assert.ok(error instanceof KernelCommandLineError, cmdline);
        // A ConfigError: weft-init exits with 2, naming it, before any container starts.
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.issues, [{ path: word, message: expected }], cmdline);
        assert.equal(error.message, `Invalid kernel command line: ${word}: ${expected}`);
        return true;
      },
    );
  }
  // Every bad word is listed at once; words after "--" belong to the init's argv.
  assert.throws(
    () => parseKernelMachineArgs("weft.hostname=a_b weft.dns=x -- weft.hostname=c_d"),
    (error: KernelCommandLineError) =>
      error.issues.map((issue) => issue.path).join() === "weft.hostname,weft.dns" &&
      !error.message.includes("c_d"),
  );
});

Deno.test("an IPv4 prefix becomes address and netmask bytes; a bad one is refused", () => {
  assert.deepEqual(parseCidr("192.168.1.7/20"), {
    address: [192, 168, 1, 7],
    netmask: [255, 255, 240, 0],
  });
  assert.deepEqual(parseCidr("10.0.0.1/0").netmask, [0, 0, 0, 0]);
  assert.throws(() => parseCidr("10.0.0.300/8"), /Invalid address "10.0.0.300\/8"/);
});

/** Runs testdata/machine_fixture.ts in new network and UTS namespaces with `hostnameWord`. */
async function runMachineFixture(
  hostnameWord: string,
): Promise<{ seen: Record<string, unknown>; stderr: string }> {
  const fixture = new URL("./testdata/machine_fixture.ts", import.meta.url).pathname;
  const out = await new Deno.Command(unshare!, {
    args: ["--net", "--uts", Deno.execPath(), "run", "-A", fixture, hostnameWord],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  return { seen: JSON.parse(new TextDecoder().decode(out.stdout)), stderr };
}

Deno.test({
  name: "the machine duties bring lo up so that it answers, and set the hostname",
  ignore: unshare === undefined,
  async fn(): Promise<void> {
    const { seen, stderr } = await runMachineFixture("from-cmdline");
    // The kernel command line wins over the pod file.
    assert.equal(seen.hostname, "from-cmdline");
    assert.equal(seen.reply, "pong");
    assert.equal(seen.ok, true, stderr);
    assert.match(stderr, /Machine ready: .*openFiles=\d+/);
  },
});

Deno.test({
  name: "a bad weft.hostname= is refused before any machine duty runs",
  ignore: unshare === undefined,
  async fn(): Promise<void> {
    const { seen, stderr } = await runMachineFixture("bad_name");
    assert.match(
      String(seen.error),
      /^Invalid kernel command line: weft\.hostname: expected a hostname/,
    );
    // Neither the hostname (the host's, copied into the new UTS namespace) nor lo was touched.
    assert.equal(seen.hostname, Deno.hostname());
    assert.equal(seen.reply, "NetworkUnreachable");
    assert.doesNotMatch(stderr, /Machine ready|Cannot /);
  },
});

Deno.test("the pod file's machine is validated and defaulted, naming the field", () => {
  const containers = [{ id: "web", bundle: "/b/web" }];
  const config = parseConfig({
    containers,
    machine: { hostname: "pod-1", network: { address: "10.0.2.15/24" } },
  });
  assert.deepEqual(config.machine, {
    hostname: "pod-1",
    network: { interface: "eth0", address: "10.0.2.15/24", dns: [] },
  });
  assert.equal(parseConfig({ containers }).machine, undefined);
  assert.throws(
    () => parseConfig({ containers, machine: { hostname: "no_underscores", openFiles: 10 } }),
    (error: Error) =>
      /machine\.hostname: expected a hostname/.test(error.message) &&
      /machine\.openFiles/.test(error.message),
  );
  assert.throws(
    () => parseConfig({ containers, machine: { network: { address: "10.0.2.15" } } }),
    /machine\.network\.address: expected an IPv4 address with its prefix length/,
  );
});
