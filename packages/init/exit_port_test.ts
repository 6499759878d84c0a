import assert from "node:assert/strict";
import { writeExitPort } from "./exit_port.ts";

Deno.test("the exit code's low byte lands at the port's offset of the device", async () => {
  const device = await Deno.makeTempFile();
  try {
    await Deno.writeFile(device, new Uint8Array(0x100));
    writeExitPort(3, { device });
    writeExitPort(0x1f1, { device, port: 0x10 });
    const bytes = await Deno.readFile(device);
    assert.equal(bytes[0xf4], 3);
    assert.equal(bytes[0x10], 0xf1);
    assert.equal(bytes.reduce((sum, b) => sum + b, 0), 3 + 0xf1);
  } finally {
    await Deno.remove(device);
  }
});

Deno.test("an exit port outside 0 to 65535 is refused with its value", () => {
  assert.throws(() => writeExitPort(0, { port: 0x10000, device: "/nonexistent" }), {
    name: "RangeError",
    message: "Invalid exit port 65536: expected 0 to 65535",
  });
});
