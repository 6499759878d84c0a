import assert from "node:assert/strict";
import { ContainerSpecError, resolveUser } from "./mod.ts";

async function rootfs(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "weft-bundle-user-" });
  await Deno.mkdir(`${dir}/etc`);
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(`${dir}${name}`, text);
  return dir;
}

const PASSWD = "root:x:0:0:root:/root:/bin/sh\n# comment\nweb:x:1000:1001:Web:/home/web:/bin/sh\n";
const GROUP = "root:x:0:\nwebgrp:x:1001:\naudio:x:29:web,other\nvideo:x:44:other\nstaff:x:50:web\n";

Deno.test("a user name resolves to its uid, primary group and supplementary groups", async () => {
  const dir = await rootfs({ "/etc/passwd": PASSWD, "/etc/group": GROUP });
  try {
    assert.deepEqual(await resolveUser(dir, "web"), {
      uid: 1000,
      gid: 1001,
      additionalGids: [29, 50],
      home: "/home/web",
    });
    assert.deepEqual(await resolveUser(dir, "web:audio"), {
      uid: 1000,
      gid: 29,
      additionalGids: [],
      home: "/home/web",
    });
    assert.deepEqual(await resolveUser(dir, "1000"), {
      uid: 1000,
      gid: 1001,
      additionalGids: [29, 50],
      home: "/home/web",
    });
    assert.deepEqual(await resolveUser(dir, "4242"), { uid: 4242, gid: 0, additionalGids: [] });
    assert.deepEqual(await resolveUser(dir, "1000:1000"), {
      uid: 1000,
      gid: 1000,
      additionalGids: [],
      home: "/home/web",
    });
    assert.deepEqual(await resolveUser(dir, "web:7"), {
      uid: 1000,
      gid: 7,
      additionalGids: [],
      home: "/home/web",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("numeric uid:gid needs no /etc/passwd", async () => {
  const dir = await Deno.makeTempDir();
  try {
    assert.deepEqual(await resolveUser(dir, "12:34"), { uid: 12, gid: 34, additionalGids: [] });
    assert.deepEqual(await resolveUser(dir, "12"), { uid: 12, gid: 0, additionalGids: [] });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a name missing from the rootfs's passwd or group is refused naming the field", async () => {
  const dir = await rootfs({ "/etc/passwd": PASSWD, "/etc/group": GROUP });
  try {
    for (const [user, why] of [["nobody", /no user "nobody"/], ["web:wheel", /no group "wheel"/]]) {
      await assert.rejects(
        resolveUser(dir, user as string, { field: "c[0].process.user" }),
        (error) => {
          assert.ok(error instanceof ContainerSpecError);
          assert.equal(error.field, "c[0].process.user");
          assert.match(error.message, why as RegExp);
          return true;
        },
      );
    }
    await assert.rejects(resolveUser(dir, "4294967295:0"), /a uid from 0/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a name is refused when the rootfs has no passwd or it leads outside the rootfs", async () => {
  const empty = await Deno.makeTempDir();
  const escaping = await rootfs({});
  await Deno.symlink("/etc/passwd", `${escaping}/etc/passwd`);
  try {
    await assert.rejects(resolveUser(empty, "root"), /cannot be read/);
    await assert.rejects(resolveUser(escaping, "root"), /leads outside the rootfs/);
  } finally {
    await Deno.remove(empty, { recursive: true });
    await Deno.remove(escaping, { recursive: true });
  }
});

Deno.test("a passwd or group that is not a regular file is refused, never read", async () => {
  const dir = await rootfs({ "/etc/group": GROUP });
  try {
    await Deno.mkdir(`${dir}/etc/passwd`);
    await assert.rejects(resolveUser(dir, "web"), (error: Error) => {
      assert.ok(error instanceof ContainerSpecError, String(error));
      assert.match(
        error.message,
        /\/etc\/passwd, which cannot be read: expected a regular file, got a directory/,
      );
      return true;
    });
    await Deno.remove(`${dir}/etc/passwd`);
    // Reading a FIFO would block the init until something wrote to it.
    const made = await new Deno.Command("mkfifo", { args: [`${dir}/etc/passwd`] }).output();
    assert.equal(made.code, 0);
    await assert.rejects(resolveUser(dir, "web"), /expected a regular file, got a FIFO/);
    await Deno.remove(`${dir}/etc/passwd`);
    await Deno.writeTextFile(`${dir}/etc/passwd`, PASSWD);
    await Deno.remove(`${dir}/etc/group`);
    await new Deno.Command("mkfifo", { args: [`${dir}/etc/group`] }).output();
    await assert.rejects(
      resolveUser(dir, "web"),
      /\/etc\/group, which cannot be read: expected a regular file, got a FIFO/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
