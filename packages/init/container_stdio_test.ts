import { strictEqual } from "node:assert/strict";
import { openContainerStdio } from "./container_stdio.ts";

function sink(): { writeSync(data: Uint8Array): number; text(): string } {
  const chunks: string[] = [];
  return {
    // Writes at most 3 bytes at a time, as a full pipe would, to exercise the retry loop.
    writeSync(data): number {
      chunks.push(new TextDecoder().decode(data.subarray(0, 3)));
      return Math.min(3, data.length);
    },
    text: () => chunks.join(""),
  };
}

async function feed(
  stream: WritableStream<Uint8Array> | "inherit" | undefined,
  parts: string[],
): Promise<void> {
  const writer = (stream as WritableStream<Uint8Array>).getWriter();
  for (const part of parts) await writer.write(new TextEncoder().encode(part));
  await writer.close();
}

Deno.test("console output is prefixed line by line on the init's stdout and stderr", async () => {
  const out = sink();
  const err = sink();
  const { stdio, done } = await openContainerStdio("web", "console", { stdout: out, stderr: err });
  await feed(stdio.stdout, ["one\ntw", "o\n", "no newline"]);
  await feed(stdio.stderr, ["oops\n"]);
  await done;
  strictEqual(out.text(), "[web] one\n[web] two\n[web] no newline\n");
  strictEqual(err.text(), "[web] oops\n");
});

Deno.test("file output of both streams is appended to the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/web.log`, "before\n");
    const { stdio, done } = await openContainerStdio("web", { file: `${dir}/web.log` });
    await feed(stdio.stdout, ["out\n"]);
    await feed(stdio.stderr, ["err\n"]);
    await done;
    strictEqual(await Deno.readTextFile(`${dir}/web.log`), "before\nout\nerr\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("none gives the container /dev/null", async () => {
  const { stdio, done } = await openContainerStdio("web", "none");
  strictEqual(Object.keys(stdio).length, 0);
  await done;
});

Deno.test("a tap receives both streams' bytes for every stdio setting, none included", async () => {
  for (const config of ["console", "none"] as const) {
    const seen: string[] = [];
    const tap = (id: string, stream: string): WritableStream<Uint8Array> =>
      new WritableStream({
        write: (chunk) => void seen.push(`${id} ${stream} ${new TextDecoder().decode(chunk)}`),
      });
    const out = sink();
    const { stdio, done } = await openContainerStdio("web", config, {
      stdout: out,
      stderr: out,
      tap,
    });
    await feed(stdio.stdout, ["hello\n"]);
    await feed(stdio.stderr, ["oops\n"]);
    await done;
    strictEqual(seen.join("|"), "web stdout hello\n|web stderr oops\n", config);
    strictEqual(out.text(), config === "console" ? "[web] hello\n[web] oops\n" : "");
  }
});
