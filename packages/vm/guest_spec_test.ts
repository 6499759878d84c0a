import assert from "node:assert/strict";
import { checkAppendWords, withKernelWords } from "./guest_spec.ts";

const IMAGE_LINE =
  "console=ttyS0 quiet panic=-1 rdinit=/init PATH=/usr/bin DENO_DIR=/var/cache/deno " +
  "-- /usr/bin/deno run -A /init.js --config /pod/pod.json weft.ip=ignored";

Deno.test("extra kernel words may add parameters but not set weft-vm's, split words or end them", () => {
  const fine = ["weft.ip=10.0.2.15/24", "weft.gw=10.0.2.2", "weft.dns=10.0.2.3,1.1.1.1", "debug"];
  assert.deepEqual(checkAppendWords(fine, IMAGE_LINE), fine);
  // quiet is a flag of the image's line, not a K=V it sets: repeating it is harmless.
  assert.deepEqual(checkAppendWords(["quiet"], IMAGE_LINE), ["quiet"]);
  const refused: [string, RegExp][] = [
    ["init=/bin/sh", /"init=\/bin\/sh": weft-vm sets init= itself/],
    ["root=/dev/vda", /weft-vm sets root= itself/],
    ["rdinit=/bin/sh", /weft-vm sets rdinit= itself/],
    ["weft.seed=00", /weft-vm sets weft.seed= itself/],
    ["console=tty0", /weft-vm sets console= itself/],
    ["panic=0", /weft-vm sets panic= itself/],
    ["DENO_DIR=/tmp", /weft-vm sets DENO_DIR= itself/],
    ["--", /"--": it would end the kernel's parameters/],
    ["a b", /"a b": expected one word without spaces/],
    ["a\tb", /expected one word without spaces/],
    ["", /"": expected one word without spaces/],
  ];
  for (const [word, message] of refused) {
    assert.throws(
      () => checkAppendWords(["weft.ip=10.0.2.15/24", word], IMAGE_LINE),
      (error: Error) => error instanceof RangeError && message.test(error.message),
      word,
    );
  }
  // Words after the image's "--" are the init's argv, not parameters weft-vm sets.
  assert.deepEqual(checkAppendWords(["weft.ip=10.0.2.15/24"], IMAGE_LINE), [
    "weft.ip=10.0.2.15/24",
  ]);
});

Deno.test("extra kernel words go before the init's argv", () => {
  assert.equal(
    withKernelWords(IMAGE_LINE, ["weft.gw=10.0.2.2"]).split(" -- ")[0].split(" ").at(-1),
    "weft.gw=10.0.2.2",
  );
});

Deno.test("checkAppendWords refuses the init's weft.* words by the init's rules, naming each", () => {
  assert.throws(
    () => checkAppendWords(["weft.hostname=bad_name", "weft.dns=10.0.2.3,ns1"], IMAGE_LINE),
    (error: Error) => {
      assert.equal(error.name, "KernelCommandLineError");
      assert.match(error.message, /weft\.hostname: expected a hostname/);
      assert.match(error.message, /weft\.dns/);
      return true;
    },
  );
  assert.deepEqual(checkAppendWords(["weft.hostname=vm1", "weft.dns=10.0.2.3"], IMAGE_LINE), [
    "weft.hostname=vm1",
    "weft.dns=10.0.2.3",
  ]);
});
