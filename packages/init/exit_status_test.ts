import assert from "node:assert/strict";
import { decodeWaitStatus } from "./exit_status.ts";

Deno.test("exit codes decode as themselves", () => {
  for (const code of [0, 1, 2, 127, 255]) {
    assert.deepEqual(decodeWaitStatus(10, code << 8, 5, 7), {
      pid: 10,
      status: code,
      code,
      signal: null,
      at: 5,
      reapedAt: 7,
    });
  }
});

Deno.test("deaths by signal decode as 128 + the signal, core dump or not", () => {
  assert.deepEqual(decodeWaitStatus(10, 9, 5, 7), {
    pid: 10,
    status: 137,
    code: null,
    signal: 9,
    at: 5,
    reapedAt: 7,
  });
  assert.equal(decodeWaitStatus(10, 15).status, 143);
  assert.equal(decodeWaitStatus(10, 0x80 | 11).status, 139); // SIGSEGV with core dump
});

Deno.test("a stop report is not an exit", () => {
  assert.throws(() => decodeWaitStatus(10, (19 << 8) | 0x7f), /Invalid wait status 0x137f/);
});
