/**
 * The small initramfs of a disk-rooted VM: a static busybox, the kernel
 * modules Debian does not build in (virtio, ext4), and a shell script as
 * `/init` that loads them, mounts the system disk as the new root and the
 * pod disk on `/pod`, and hands PID 1 to the init with `switch_root`. It is
 * about 3 MB, against the 110 MB of an initramfs that holds everything.
 *
 * @module
 */
import { copyInto, installBusybox, makeSkeleton } from "./system_tree.ts";

/**
 * The `/init` script. Its arguments (the kernel command line's words after
 * `--`) are the real init's argv. On any failure it says why on the console
 * and powers off, so the host sees a clean stop instead of a kernel panic.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EARLY_INIT_SCRIPT } from "@weft/vm";
 *
 * assert.match(EARLY_INIT_SCRIPT, /exec switch_root \/newroot "\$@"/);
 * ```
 */
export const EARLY_INIT_SCRIPT = `#!/bin/busybox sh
# If poweroff fails, exiting PID 1 panics the kernel: the host reports that rather than a half-set-up boot.
fail() { echo "weft-vm early init: $*" >/dev/console; poweroff -f; sleep 5; exit 1; }
mount -t devtmpfs devtmpfs /dev || fail "cannot mount /dev"
mount -t proc proc /proc || fail "cannot mount /proc"
# The boot timeline's mark of the kernel's end: the first instruction of user space.
echo "weft-vm early init: started"
# QEMU's microvm names its virtio-mmio devices on the kernel command line; insmod does not read it.
mmio=""
for word in $(cat /proc/cmdline); do
  case "$word" in virtio_mmio.device=*) mmio="$mmio \${word#virtio_mmio.}";; esac
done
for name in $(cat /lib/modules/order); do
  params=""
  [ "$name" = virtio_mmio ] && params="$mmio"
  insmod "/lib/modules/$name.ko" $params || fail "cannot load module $name"
done
for disk in vda vdb; do
  n=0
  while [ ! -b /dev/$disk ]; do
    n=$((n+1)); [ $n -gt 500 ] && fail "no disk /dev/$disk"; usleep 10000
  done
done
mount -t ext4 /dev/vda /newroot || fail "cannot mount the system disk /dev/vda"
mount -t ext4 /dev/vdb /newroot/pod || fail "cannot mount the pod disk /dev/vdb"
umount /proc
mount --move /dev /newroot/dev || fail "cannot move /dev"
echo "weft-vm early init: switching to the disk root"
exec switch_root /newroot "$@"
`;

/**
 * Stages the early initramfs into `root`.
 *
 * @param root The directory to fill.
 * @param busybox A static busybox.
 * @param modules Module files in load order.
 * @returns Resolves when staged.
 *
 * @example
 * ```ts ignore
 * import { ensureKernel, stageEarlyInit } from "@weft/vm";
 *
 * const kernel = await ensureKernel();
 * await stageEarlyInit("/tmp/early", "/bin/busybox", kernel.modules);
 * ```
 */
export async function stageEarlyInit(
  root: string,
  busybox: string,
  modules: readonly string[],
): Promise<void> {
  await makeSkeleton(root, ["newroot", "lib/modules"]);
  await installBusybox(root, busybox);
  const names = [];
  for (const path of modules) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    await copyInto(root, path, `/lib/modules/${name}`);
    names.push(name.slice(0, -3));
  }
  await Deno.writeTextFile(`${root}/lib/modules/order`, names.join("\n") + "\n");
  await Deno.writeTextFile(`${root}/init`, EARLY_INIT_SCRIPT, { mode: 0o755 });
}
