// deno-lint-ignore-file no-console
/**
 * A container's whole life through @weft/runtime on the first runtime
 * available: create, start, read its output, stop it, delete it.
 *
 * Run: deno run -A examples/lifecycle.ts
 */
import { OciCliRuntime } from "@weft/runtime";
import { createBusyboxBundle } from "@weft/runtime/testing";

const runtime = new OciCliRuntime({ name: "runc", root: "/run/weft/demo" });
await using bundle = await createBusyboxBundle({
  args: [
    "sh",
    "-c",
    "echo hello from a container; trap 'echo stopping; exit 0' TERM; while :; do sleep 0.1; done",
  ],
});
const output = new TextDecoderStream();
const printed = output.readable.pipeTo(
  new WritableStream({
    write: (text) => void Deno.stdout.write(new TextEncoder().encode(`[demo] ${text}`)),
  }),
);
await runtime.create("demo", bundle.dir, { stdout: output.writable });
await runtime.start("demo");
console.log("state:", await runtime.state("demo"));
await new Promise((resolve) => setTimeout(resolve, 500));
await runtime.kill("demo", "TERM");
await printed;
await runtime.delete("demo");
console.log("state after delete:", await runtime.state("demo"));
