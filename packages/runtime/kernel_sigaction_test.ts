import assert from "node:assert/strict";
import {
  GLIBC_SIGNALS,
  handlerOf,
  KERNEL_SIGACTION_SIZE,
  readKernelSigaction,
  rtSigactionNumber,
  SIG_DFL,
  SIG_IGN,
  writeKernelSigaction,
} from "./kernel_sigaction.ts";
import { SyscallError } from "./syscall_error.ts";

Deno.test("rt_sigaction's number is known for x86-64 and aarch64, and refused elsewhere", () => {
  assert.equal(rtSigactionNumber("x86_64"), 13n);
  assert.equal(rtSigactionNumber("aarch64"), 134n);
  assert.throws(() => rtSigactionNumber("riscv64"), /Cannot set signal actions on riscv64/);
});

Deno.test("the raw action of 32 and 33 is read and written, as the kernel shows it", async () => {
  // In a child: the test runner's own signal actions stay as they are.
  const module = new URL("./kernel_sigaction.ts", import.meta.url).href;
  const script = `
    import * as k from ${JSON.stringify(module)};
    const ignored = () => BigInt("0x" + Deno.readTextFileSync("/proc/self/status").match(/SigIgn:\\s*(\\w+)/)[1]);
    const bits = (n) => (ignored() >> BigInt(n - 1)) & 1n;
    const out = [];
    for (const signal of k.GLIBC_SIGNALS) {
      const ign = new Uint8Array(k.KERNEL_SIGACTION_SIZE);
      new DataView(ign.buffer).setBigUint64(0, k.SIG_IGN, true);
      k.writeKernelSigaction(signal, ign);
      out.push([signal, k.handlerOf(k.readKernelSigaction(signal)) === k.SIG_IGN, bits(signal)]);
      k.writeKernelSigaction(signal, new Uint8Array(k.KERNEL_SIGACTION_SIZE));
      out.push([signal, k.handlerOf(k.readKernelSigaction(signal)) === k.SIG_DFL, bits(signal)]);
    }
    console.log(JSON.stringify(out, (_, v) => typeof v === "bigint" ? Number(v) : v));
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=js", script],
  }).output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  assert.deepEqual(JSON.parse(decoder.decode(stdout)), [
    [32, true, 1],
    [32, true, 0],
    [33, true, 1],
    [33, true, 0],
  ]);
  assert.deepEqual(GLIBC_SIGNALS, [32, 33]);
  assert.equal(handlerOf(new Uint8Array(KERNEL_SIGACTION_SIZE)), SIG_DFL);
  assert.notEqual(SIG_IGN, SIG_DFL);
  assert.throws(() => writeKernelSigaction(32, new Uint8Array(8)), RangeError);
  assert.equal(readKernelSigaction(33).length, KERNEL_SIGACTION_SIZE);
});

Deno.test("a refused rt_sigaction names its errno", () => {
  // The kernel has signals 1 to 64; KILL's action cannot be changed.
  assert.throws(
    () => readKernelSigaction(0),
    { message: "Cannot read the action of signal 0: Invalid argument (EINVAL, errno 22)" },
  );
  assert.throws(() => readKernelSigaction(0), (error: unknown) => {
    assert.ok(error instanceof SyscallError);
    assert.deepEqual([error.syscall, error.errno, error.code], ["rt_sigaction", 22, "EINVAL"]);
    return true;
  });
  const action = new Uint8Array(KERNEL_SIGACTION_SIZE);
  for (const signal of [65, 9]) {
    assert.throws(
      () => writeKernelSigaction(signal, action),
      { message: `Cannot set the action of signal ${signal}: Invalid argument (EINVAL, errno 22)` },
    );
  }
});
