// deno-lint-ignore-file no-console
/**
 * Throughput of container output through weft-init's stdio sinks, printed
 * as a table (not a timed test): 1,000,000 lines of 100 bytes written by a
 * busybox container under runc,
 * - into a file by the file sink (`stdio: {"file": PATH}`),
 * - through the console with `[id] ` prefixes (the init's stdout, here a file),
 * - against `runc run ID >file` from a shell (the runtime alone, no sink);
 * and the sinks alone, in process (100 MB fed in 64 KB chunks), so that the
 * sink's own cost shows apart from the container's. Every run checks that
 * all lines arrived whole: lines lost must be 0.
 *
 * Run: deno run -A tests/stdio_benchmark.ts [runs]   (median of runs, default 3)
 *
 * @module
 */
import { createBusyboxBundle } from "@weft/runtime/testing";
import { findBinary } from "@weft/runtime";
import { RuncRuntime } from "@weft/runc";
import { openContainerStdio } from "@weft/init";
import { median } from "./_init_profile.ts";

const RUNS = Number(Deno.args[0] ?? 3);
const LINES = 1_000_000;
const LINE = `${"x".repeat(99)}`; // 100 bytes with its newline
const BYTES = LINES * (LINE.length + 1);
// From a file in the rootfs: `yes | head` in busybox tops out near 40 MB/s
// here, which would measure the producer, not the sink.
const PRODUCER = "cat /lines.txt";

/** Lines of `path` that are not the expected line (after removing `prefix`), and the count. */
async function check(path: string, prefix: string): Promise<{ lost: number; bad: number }> {
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n");
  lines.pop();
  const bad = lines.filter((line) => line !== prefix + LINE).length;
  return { lost: LINES - lines.length, bad };
}

const runc = await findBinary("runc");
if (runc === undefined) throw new Error("runc not found");
const dir = await Deno.makeTempDir({ prefix: "weft-stdio-bench-" });
const root = `${dir}/root`;
await using bundle = await createBusyboxBundle({ args: ["sh", "-c", PRODUCER] });
await Deno.writeTextFile(`${bundle.dir}/rootfs/lines.txt`, `${LINE}\n`.repeat(LINES));
const runtime = new RuncRuntime({ root });
const rows: [string, number, number, number][] = [];

async function sinkRun(kind: "file" | "console", n: number): Promise<[number, number, number]> {
  const id = `bench-${kind}-${n}`;
  const out = `${dir}/${id}.log`;
  const file = kind === "console" ? await Deno.open(out, { write: true, create: true }) : undefined;
  const { stdio, done } = await openContainerStdio(
    id,
    kind === "file" ? { file: out, maxBytes: 0 } : "console",
    { stdout: file, stderr: file },
  );
  const started = performance.now();
  await runtime.create(id, bundle.dir, stdio);
  await runtime.start(id);
  await done;
  const seconds = (performance.now() - started) / 1000;
  file?.close();
  await runtime.delete(id, { force: true });
  const { lost, bad } = await check(out, kind === "console" ? `[${id}] ` : "");
  await Deno.remove(out);
  return [seconds, lost, bad];
}

async function shellRun(n: number): Promise<[number, number, number]> {
  const id = `bench-shell-${n}`;
  const out = `${dir}/${id}.log`;
  const started = performance.now();
  const { code } = await new Deno.Command("sh", {
    args: [
      "-c",
      `cd "$1" && exec "$2" --root "$3" run "$4" > "$5"`,
      "sh",
      bundle.dir,
      runc!,
      root,
      id,
      out,
    ],
    gid: Deno.gid()!, // a clean fork, as the runtime package does for create
  }).output();
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`runc run exited with ${code}`);
  const { lost, bad } = await check(out, "");
  await Deno.remove(out);
  return [seconds, lost, bad];
}

/** The sink alone: BYTES fed in 64 KiB chunks, as a pipe delivers them. */
async function inProcess(kind: "file" | "console"): Promise<[number, number, number]> {
  const out = `${dir}/inproc-${kind}.log`;
  const file = kind === "console" ? await Deno.open(out, { write: true, create: true }) : undefined;
  const { stdio, done } = await openContainerStdio(
    "inproc",
    kind === "file" ? { file: out, maxBytes: 0 } : "console",
    { stdout: file, stderr: file },
  );
  // 655 whole lines: about 64 KiB, the size of a pipe read.
  const body = new TextEncoder().encode(`${LINE}\n`.repeat(655));
  const chunk = body;
  const writer = (stdio.stdout as WritableStream<Uint8Array>).getWriter();
  const started = performance.now();
  let sent = 0;
  for (; sent + chunk.length <= BYTES; sent += chunk.length) await writer.write(chunk);
  // The rest, so that the stream holds exactly LINES whole lines.
  await writer.write(body.subarray(0, BYTES - sent));
  await writer.close();
  await (stdio.stderr as WritableStream<Uint8Array>).close();
  await done;
  const seconds = (performance.now() - started) / 1000;
  file?.close();
  const { lost, bad } = await check(out, kind === "console" ? "[inproc] " : "");
  await Deno.remove(out);
  return [seconds, lost, bad];
}

try {
  const cases: [string, (n: number) => Promise<[number, number, number]>][] = [
    ["runc run >file (shell)", shellRun],
    ["weft file sink", (n) => sinkRun("file", n)],
    ["weft console, prefixed", (n) => sinkRun("console", n)],
    ["file sink alone (in process)", () => inProcess("file")],
    ["console sink alone (in process)", () => inProcess("console")],
  ];
  for (const [name, run] of cases) {
    const results = [];
    for (let n = 0; n < RUNS; n++) results.push(await run(n));
    const seconds = median(results.map((r) => r[0]));
    const lost = Math.max(...results.map((r) => r[1]));
    const bad = Math.max(...results.map((r) => r[2]));
    rows.push([name, seconds, lost, bad]);
  }
} finally {
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

console.log(`${LINES} lines of ${LINE.length + 1} bytes (${BYTES / 1e6} MB), median of ${RUNS}`);
console.log("| path | seconds | MB/s | lines lost | lines torn |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [name, seconds, lost, bad] of rows) {
  console.log(
    `| ${name} | ${seconds.toFixed(2)} | ${
      (BYTES / 1e6 / seconds).toFixed(0)
    } | ${lost} | ${bad} |`,
  );
}
