// The ACPI power button of a VM (cloud-hypervisor's `power-button`, QEMU's
// `system_powerdown`): the kernel only reports it as a key press on an input
// device, so a PID 1 without acpid must watch that device itself. A press is
// handled as Ctrl-Alt-Del is: SIGINT to PID 1, a graceful pod stop.
import { getLogger } from "@logtape/logtape";
import { concatBytes } from "@weft/runtime";

const logger = getLogger(["weft", "init", "power"]);

/** struct input_event on 64-bit Linux: timeval (16 bytes), type u16, code u16, value s32. */
const EVENT_SIZE = 24;
const EV_KEY = 1;
const KEY_POWER = 116;

/**
 * The event device name (`eventN`, under /dev/input) of the input device
 * named "Power Button" in the contents of /proc/bus/input/devices, if any.
 */
export function powerButtonDevice(devices: string): string | undefined {
  for (const block of devices.split(/\n\s*\n/)) {
    if (!/^N: Name="Power Button"$/m.test(block)) continue;
    const event = /^H: Handlers=.*\b(event\d+)\b/m.exec(block)?.[1];
    if (event !== undefined) return event;
  }
  return undefined;
}

/** Where {@linkcode watchPowerButton} looks; replaceable for tests. */
export interface PowerButtonOptions {
  /** The input devices' description. @default {"/proc/bus/input/devices"} */
  devices?: string;
  /** Where the event devices are. @default {"/dev/input"} */
  inputDir?: string;
}

/** How many presses of the power key `events` (whole input_event records) hold. */
export function powerKeyPresses(events: Uint8Array): number {
  const view = new DataView(events.buffer, events.byteOffset, events.byteLength);
  let presses = 0;
  for (let at = 0; at + EVENT_SIZE <= events.byteLength; at += EVENT_SIZE) {
    const type = view.getUint16(at + 16, true);
    const code = view.getUint16(at + 18, true);
    const value = view.getInt32(at + 20, true);
    if (type === EV_KEY && code === KEY_POWER && value === 1) presses++;
  }
  return presses;
}

/**
 * Watches the power button, if the machine has one (the kernel's `button`
 * and `evdev` drivers loaded), calling `onPress` on each press. Returns at
 * once with the watch, which ends only if the device does; a machine
 * without a power button is logged at debug level and left alone.
 */
export function watchPowerButton(
  onPress: () => void,
  options: PowerButtonOptions = {},
): Promise<void> {
  let event: string | undefined;
  try {
    event = powerButtonDevice(Deno.readTextFileSync(options.devices ?? "/proc/bus/input/devices"));
  } catch (error) {
    logger.debug("No input devices to watch: {error}", { error });
  }
  if (event === undefined) {
    logger.debug("No power button: it cannot stop the pod");
    return Promise.resolve();
  }
  const device = `${options.inputDir ?? "/dev/input"}/${event}`;
  logger.debug("Watching the power button on {device}", { device });
  return (async () => {
    using file = await Deno.open(device);
    let pending = new Uint8Array(0);
    for await (const chunk of file.readable) {
      const joined = concatBytes([pending, chunk]);
      const whole = joined.length - (joined.length % EVENT_SIZE);
      for (let i = powerKeyPresses(joined.subarray(0, whole)); i > 0; i--) onPress();
      pending = joined.slice(whole);
    }
  })().catch((error) => {
    logger.warn("The power button cannot stop the pod any more: {error}", { device, error });
  });
}
