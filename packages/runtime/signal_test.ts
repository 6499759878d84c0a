import assert from "node:assert/strict";
import { InvalidArgumentError, parseSignal } from "./mod.ts";

Deno.test("every usual spelling of a signal normalises to one canonical form", () => {
  const cases: [string | number, number, string][] = [
    ["TERM", 15, "SIGTERM"],
    ["SIGTERM", 15, "SIGTERM"],
    ["sigterm", 15, "SIGTERM"],
    ["term", 15, "SIGTERM"],
    [15, 15, "SIGTERM"],
    ["15", 15, "SIGTERM"],
    [" KILL ", 9, "SIGKILL"],
    ["HUP", 1, "SIGHUP"],
    ["SIGUSR1", 10, "SIGUSR1"],
    ["USR2", 12, "SIGUSR2"],
    ["WINCH", 28, "SIGWINCH"],
    ["IOT", 6, "SIGABRT"],
    ["POLL", 29, "SIGIO"],
    ["SYS", 31, "SIGSYS"],
    ["RTMIN", 34, "SIGRTMIN"],
    ["RTMIN+3", 37, "SIGRTMIN+3"],
    ["SIGRTMIN+3", 37, "SIGRTMIN+3"],
    [37, 37, "SIGRTMIN+3"],
    ["RTMAX", 64, "SIGRTMAX"],
    ["RTMAX-2", 62, "SIGRTMAX-2"],
    ["rtmax-2", 62, "SIGRTMAX-2"],
    [50, 50, "SIGRTMAX-14"],
    [49, 49, "SIGRTMIN+15"],
  ];
  for (const [input, number, name] of cases) {
    assert.deepEqual(parseSignal(input), { number, name }, `input ${JSON.stringify(input)}`);
  }
});

Deno.test("unknown signals and signal 0 are refused, never turned into signal 0", () => {
  for (
    const input of [
      0,
      "0",
      -15,
      "-15",
      32,
      33,
      65,
      999,
      1.5,
      "BOGUS",
      "SIGBOGUS",
      "",
      "RTMIN-1",
      "RTMAX+1",
      "RTMIN+99",
      "0x9",
      "TERM; rm -rf /",
      null,
      undefined,
      {},
    ]
  ) {
    assert.throws(() => parseSignal(input), (error) => {
      assert.ok(error instanceof InvalidArgumentError, `input ${JSON.stringify(input)}`);
      assert.equal(error.argument, "signal");
      assert.match(
        error.message,
        /^Invalid signal .*: expected a name like "TERM" or "SIGRTMIN\+3", or a number in 1-31 or 34-64$/,
      );
      return true;
    });
  }
});
