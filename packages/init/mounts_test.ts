import assert from "node:assert/strict";
import { mountPseudoFilesystems } from "./mounts.ts";
import { SyscallError } from "./syscall_error.ts";

Deno.test("a relative root is rejected, naming it", () => {
  assert.throws(() => mountPseudoFilesystems({ root: "scratch" }), {
    name: "TypeError",
    message: 'Invalid root "scratch": expected an absolute path',
  });
});

Deno.test("a mount the kernel refuses is reported with its errno and the others are still tried", async () => {
  const scratch = await Deno.makeTempDir({ prefix: "wip-reaper-mounts-" });
  try {
    // Both fail without mounting anything: no such filesystem type, and a
    // proc mount whose target is a file.
    await Deno.writeTextFile(`${scratch}/file`, "");
    const results = mountPseudoFilesystems({
      root: scratch,
      filesystems: [
        { fstype: "nosuchfs", target: "/a" },
        { fstype: "proc", target: "/file" },
      ],
    });
    assert.deepEqual(results.map((r) => r.state), ["failed", "failed"]);
    const [first, second] = results.map((r) => r.error);
    assert.ok(first instanceof SyscallError);
    assert.equal(first.code, "ENODEV");
    assert.match(first.message, /^Cannot mount nosuchfs on ".*\/a": No such device$/);
    assert.ok(second instanceof Error);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});
