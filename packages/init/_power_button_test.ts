import assert from "node:assert/strict";
import { concatBytes } from "@weft/runtime";
import { powerButtonDevice, powerKeyPresses, watchPowerButton } from "./_power_button.ts";

// /proc/bus/input/devices of a QEMU pc guest with the button and evdev drivers loaded.
const DEVICES = `I: Bus=0019 Vendor=0000 Product=0001 Version=0000
N: Name="Power Button"
P: Phys=LNXPWRBN/button/input0
S: Sysfs=/devices/LNXSYSTM:00/LNXPWRBN:00/input/input0
U: Uniq=
H: Handlers=kbd event0
B: PROP=0
B: EV=3
B: KEY=10000000000000 0

I: Bus=0011 Vendor=0001 Product=0001 Version=ab41
N: Name="AT Translated Set 2 keyboard"
P: Phys=isa0060/serio0/input0
S: Sysfs=/devices/platform/i8042/serio0/input/input1
U: Uniq=
H: Handlers=sysrq kbd event1 leds
B: PROP=0
B: EV=120013
`;

function event(type: number, code: number, value: number): Uint8Array {
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  view.setUint16(16, type, true);
  view.setUint16(18, code, true);
  view.setInt32(20, value, true);
  return bytes;
}

Deno.test("the power button's event device is found by its name, not taken from the keyboard", () => {
  assert.equal(powerButtonDevice(DEVICES), "event0");
  assert.equal(powerButtonDevice(DEVICES.split("\n\n")[1]), undefined);
  assert.equal(powerButtonDevice(""), undefined);
  // Without evdev the button has no event handler: nothing to read.
  assert.equal(powerButtonDevice(DEVICES.replace("kbd event0", "kbd")), undefined);
});

Deno.test("only a press of the power key counts: not its release, repeats, other keys or syncs", () => {
  const press = event(1, 116, 1);
  const events = concatBytes([
    press,
    event(0, 0, 0),
    event(1, 116, 0),
    event(1, 116, 2),
    event(1, 28, 1),
  ]);
  assert.equal(powerKeyPresses(events), 1);
  assert.equal(powerKeyPresses(concatBytes([press, press])), 2);
  // A partial record is not read.
  assert.equal(powerKeyPresses(press.subarray(0, 23)), 0);
});

Deno.test("the watcher reads presses split across reads and calls back once per press", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weft-power-button-test-" });
  try {
    // A FIFO stands for /dev/input/event0.
    const mkfifo = await new Deno.Command("mkfifo", { args: [`${dir}/event0`] }).output();
    assert.ok(mkfifo.success);
    await Deno.writeTextFile(`${dir}/devices`, DEVICES);
    let presses = 0;
    const watched = watchPowerButton(() => presses++, {
      devices: `${dir}/devices`,
      inputDir: dir,
    });
    const writer = await Deno.open(`${dir}/event0`, { write: true });
    const events = concatBytes([event(1, 116, 1), event(1, 116, 0), event(1, 116, 1)]);
    await writer.write(events.subarray(0, 30));
    await writer.write(events.subarray(30));
    writer.close();
    await watched;
    assert.equal(presses, 2);
    // A machine without a power button: nothing to watch, nothing fails.
    await Deno.writeTextFile(`${dir}/devices`, DEVICES.split("\n\n")[1]);
    await watchPowerButton(() => presses++, { devices: `${dir}/devices`, inputDir: dir });
    await watchPowerButton(() => presses++, { devices: `${dir}/missing`, inputDir: dir });
    assert.equal(presses, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
