import assert from "node:assert/strict";
import { apiRequest, connectWhileRunning, monitorCommand, type VmmConn } from "./_vmm_control.ts";
import { CLOUD_HYPERVISOR_POWER_BUTTON } from "./cloud_hypervisor.ts";
import { FIRECRACKER_CTRL_ALT_DEL } from "./firecracker.ts";
import { withTempDir } from "./_test_utils.ts";

/** A one-connection Unix socket server: reads a request, answers `reply`, returns what it read. */
async function fakeServer(
  path: string,
  complete: (seen: string) => boolean,
  reply: (seen: string) => string,
): Promise<string> {
  const listener = Deno.listen({ transport: "unix", path });
  try {
    const conn = await listener.accept();
    let seen = "";
    const buffer = new Uint8Array(4096);
    try {
      if (reply("").length > 0 && !complete("")) {
        // A greeting first (QEMU's monitor banner).
        await conn.write(new TextEncoder().encode(reply("")));
      }
      while (!complete(seen)) {
        const n = await conn.read(buffer);
        if (n === null) break;
        seen += new TextDecoder().decode(buffer.subarray(0, n));
      }
      await conn.write(new TextEncoder().encode(reply(seen)));
    } finally {
      conn.close();
    }
    return seen;
  } finally {
    listener.close();
  }
}

function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  return withTempDir("weft-vm-control-test-", fn);
}

const httpComplete = (seen: string) => {
  const end = seen.indexOf("\r\n\r\n");
  if (end < 0) return false;
  const length = Number(/Content-Length: (\d+)/.exec(seen)?.[1] ?? 0);
  return seen.length >= end + 4 + length;
};

Deno.test("Firecracker's Ctrl-Alt-Del and cloud-hypervisor's power button are sent as their APIs expect", async () => {
  await inTempDir(async (dir) => {
    for (const request of [FIRECRACKER_CTRL_ALT_DEL, CLOUD_HYPERVISOR_POWER_BUTTON]) {
      const path = `${dir}/api.sock`;
      const served = fakeServer(
        path,
        httpComplete,
        (seen) => seen === "" ? "" : "HTTP/1.1 204 \r\nServer: Firecracker API\r\n\r\n",
      );
      const conn = await connectWhileRunning(path, new Promise(() => {}));
      assert.ok(conn !== undefined);
      try {
        assert.equal(await apiRequest(conn, request), 204);
      } finally {
        conn.close();
      }
      const seen = await served;
      const [head, body] = seen.split("\r\n\r\n");
      assert.equal(head.split("\r\n")[0], `PUT ${request.path} HTTP/1.1`);
      assert.match(head, new RegExp(`Content-Length: ${request.body.length}`));
      assert.equal(body, request.body);
      await Deno.remove(path).catch(() => {});
    }
    assert.equal(
      JSON.parse(FIRECRACKER_CTRL_ALT_DEL.body).action_type,
      "SendCtrlAltDel",
    );
  });
});

Deno.test("an API answer that is not HTTP is an error that quotes it", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/api.sock`;
    const served = fakeServer(path, httpComplete, (seen) => seen === "" ? "" : "nonsense\r\n");
    const conn = (await connectWhileRunning(path, new Promise(() => {})))!;
    try {
      await assert.rejects(
        () => apiRequest(conn, FIRECRACKER_CTRL_ALT_DEL),
        /Unexpected answer from the VMM's API: "nonsense\\r\\n"/,
      );
    } finally {
      conn.close();
    }
    await served;
  });
});

Deno.test("the QEMU monitor command waits for the prompt that follows it", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/monitor.sock`;
    const served = fakeServer(
      path,
      (seen) => seen.endsWith("\n"),
      (seen) => seen === "" ? "QEMU 7.2.0 monitor\r\n(qemu) " : "sendkey\r\n(qemu) ",
    );
    const conn = (await connectWhileRunning(path, new Promise(() => {})))!;
    try {
      await monitorCommand(conn, "sendkey ctrl-alt-delete");
    } finally {
      conn.close();
    }
    assert.equal(await served, "sendkey ctrl-alt-delete\n");
  });
});

Deno.test("connecting gives up once the VMM has exited without making its socket", async () => {
  await inTempDir(async (dir) => {
    const exited = Promise.resolve();
    assert.equal(await connectWhileRunning(`${dir}/never.sock`, exited), undefined);
  });
});

/**
 * A connection that takes one byte per write (as a socket with a full buffer
 * may) and answers reads from `replies`, in turn.
 */
function oneByteConn(replies: string[]): VmmConn & { written: () => string } {
  const written: number[] = [];
  return {
    write(data: Uint8Array): Promise<number> {
      written.push(data[0]);
      return Promise.resolve(1);
    },
    read(buffer: Uint8Array): Promise<number | null> {
      const reply = replies.shift();
      if (reply === undefined) return Promise.resolve(null);
      const bytes = new TextEncoder().encode(reply);
      buffer.set(bytes);
      return Promise.resolve(bytes.length);
    },
    written: () => new TextDecoder().decode(new Uint8Array(written)),
  };
}

Deno.test("a request or monitor command is written whole when the socket takes a byte at a time", async () => {
  const api = oneByteConn(["HTTP/1.1 204 \r\n\r\n"]);
  assert.equal(await apiRequest(api, FIRECRACKER_CTRL_ALT_DEL), 204);
  const [head, body] = api.written().split("\r\n\r\n");
  assert.equal(head.split("\r\n")[0], `PUT ${FIRECRACKER_CTRL_ALT_DEL.path} HTTP/1.1`);
  assert.match(head, new RegExp(`\r\nContent-Length: ${FIRECRACKER_CTRL_ALT_DEL.body.length}$`));
  assert.equal(body, FIRECRACKER_CTRL_ALT_DEL.body);

  const monitor = oneByteConn(["QEMU 7.2.0 monitor\r\n(qemu) ", "sendkey\r\n(qemu) "]);
  await monitorCommand(monitor, "sendkey ctrl-alt-delete");
  assert.equal(monitor.written(), "sendkey ctrl-alt-delete\n");
});
