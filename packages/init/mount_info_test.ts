import assert from "node:assert/strict";
import { parseMountInfo, readMountInfo } from "./mount_info.ts";

Deno.test("mountinfo lines parse, with optional fields and escaped spaces", () => {
  const entries = parseMountInfo(
    "36 35 98:0 /mnt1 /mnt/a\\040b rw,noatime master:1 shared:2 - ext3 /dev/root rw\n" +
      "22 1 0:21 / /proc rw,nosuid - proc proc rw\n",
  );
  assert.deepEqual(entries[0], {
    mountId: 36,
    parentId: 35,
    mountPoint: "/mnt/a b",
    options: "rw,noatime",
    fstype: "ext3",
    source: "/dev/root",
  });
  assert.equal(entries[1].fstype, "proc");
});

Deno.test("a line without the mountinfo layout is rejected, quoted", () => {
  assert.throws(() => parseMountInfo("garbage line\n"), /Invalid mountinfo line "garbage line"/);
});

Deno.test("this process's mount table has a root and /proc", () => {
  const mounts = readMountInfo();
  assert.ok(mounts?.some((m) => m.mountPoint === "/"));
  assert.ok(mounts?.some((m) => m.mountPoint === "/proc" && m.fstype === "proc"));
  assert.equal(readMountInfo("/nonexistent/mountinfo"), undefined);
});
