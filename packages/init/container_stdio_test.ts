import assert, { deepStrictEqual, strictEqual } from "node:assert/strict";
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

/** Writes `parts` to the streams in the order given, each part a chunk of its stream. */
async function interleave(
  stdio: { stdout?: unknown; stderr?: unknown },
  parts: ["out" | "err", string][],
): Promise<void> {
  const out = (stdio.stdout as WritableStream<Uint8Array>).getWriter();
  const err = (stdio.stderr as WritableStream<Uint8Array>).getWriter();
  for (const [stream, text] of parts) {
    await (stream === "out" ? out : err).write(new TextEncoder().encode(text));
  }
  await out.close();
  await err.close();
}

Deno.test("the file sink writes whole lines: a line split across reads is never torn by the other stream", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { stdio, done } = await openContainerStdio("web", { file: `${dir}/web.log` });
    await interleave(stdio, [
      ["out", "first half of out,"],
      ["err", "err one\nerr tw"],
      ["out", " second half\nout two\n"],
      ["err", "o\n"],
      ["out", "unfinished"],
    ]);
    await done;
    strictEqual(
      await Deno.readTextFile(`${dir}/web.log`),
      "err one\nfirst half of out, second half\nout two\nerr two\nunfinished\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stderrFile sends each stream to its own file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = { file: `${dir}/out.log`, stderrFile: `${dir}/err.log` };
    const { stdio, done } = await openContainerStdio("web", config);
    await interleave(stdio, [["out", "o1\no"], ["err", "e1\n"], ["out", "2\n"], ["err", "e2"]]);
    await done;
    strictEqual(await Deno.readTextFile(`${dir}/out.log`), "o1\no2\n");
    strictEqual(await Deno.readTextFile(`${dir}/err.log`), "e1\ne2\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the json format writes one object per line with stream and time, partial for an unfinished last line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const before = Date.now();
    const config = { file: `${dir}/web.json`, format: "json" as const };
    const { stdio, done } = await openContainerStdio("web", config);
    await interleave(stdio, [["out", 'say "hi"\n\u00e9\n'], ["err", "oops\n"], ["out", "end"]]);
    await done;
    const records = (await Deno.readTextFile(`${dir}/web.json`)).trimEnd().split("\n")
      .map((line) => JSON.parse(line));
    deepStrictEqual(records.map(({ time: _, ...rest }) => rest), [
      { stream: "stdout", log: 'say "hi"' },
      { stream: "stdout", log: "\u00e9" },
      { stream: "stderr", log: "oops" },
      { stream: "stdout", log: "end", partial: true },
    ]);
    for (const { time } of records) {
      strictEqual(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(time), true, time);
      strictEqual(Date.parse(time) >= before - 1 && Date.parse(time) <= Date.now(), true, time);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rotation by size keeps maxFiles files of whole lines and loses no line but whole oldest files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/web.log`;
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} ${"x".repeat(i % 37)}`);
    const text = lines.join("\n") + "\n";
    // Chunks of varying sizes that cut lines anywhere.
    const chunks: string[] = [];
    for (let at = 0, size = 1; at < text.length; at += size, size = (size * 7 + 3) % 301 + 1) {
      chunks.push(text.slice(at, at + size));
    }
    for (const maxFiles of [3, 1000]) {
      await Deno.remove(dir, { recursive: true });
      await Deno.mkdir(dir);
      const config = { file: path, maxBytes: 1000, maxFiles };
      const { stdio, done } = await openContainerStdio("web", config);
      await interleave(stdio, chunks.map((chunk) => ["out", chunk]));
      await done;
      const names = [...Deno.readDirSync(dir)].map((e) => e.name);
      if (maxFiles === 3) deepStrictEqual(names.sort(), ["web.log", "web.log.1", "web.log.2"]);
      // Oldest first: PATH.n ... PATH.1, PATH.
      const files = names.sort((
        a,
        b,
      ) => (Number(b.split(".")[2] ?? 0) - Number(a.split(".")[2] ?? 0)));
      let kept = "";
      for (const name of files) {
        const body = await Deno.readTextFile(`${dir}/${name}`);
        strictEqual(body.length <= 1000, true, `${name} has ${body.length} bytes`);
        strictEqual(body.endsWith("\n"), true, `${name} ends mid-line`);
        kept += body;
      }
      const got = kept.trimEnd().split("\n");
      deepStrictEqual(
        got,
        lines.slice(lines.length - got.length),
        "a contiguous tail of the lines",
      );
      if (maxFiles === 1000) strictEqual(got.length, lines.length, "every line kept");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("console output is batched: the lines of one chunk go out in one write", async () => {
  const writes: string[] = [];
  const out = {
    writeSync: (data: Uint8Array) => (writes.push(new TextDecoder().decode(data)), data.length),
  };
  const { stdio, done } = await openContainerStdio("web", "console", { stdout: out, stderr: out });
  const body = Array.from({ length: 1000 }, (_, i) => `l${i}\n`).join("");
  await interleave(stdio, [["out", body]]);
  await done;
  strictEqual(writes.length, 1);
  strictEqual(writes[0], body.replaceAll(/^/gm, "[web] ").slice(0, -"[web] ".length));
});

Deno.test("a tap sees every whole line per container and stream, in order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const seen: string[] = [];
    const tap = (line: { id: string; stream: string; text: string; partial: boolean }) =>
      seen.push(`${line.id} ${line.stream} ${line.text}${line.partial ? " (partial)" : ""}`);
    const { stdio, done } = await openContainerStdio("db", { file: `${dir}/db.log` }, { tap });
    await interleave(stdio, [["out", "a\nb"], ["err", "x\n"], ["out", "\nc"]]);
    await done;
    deepStrictEqual(seen, ["db stdout a", "db stderr x", "db stdout b", "db stdout c (partial)"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a log file that cannot be opened rejects and leaves no file open", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const fds = () => [...Deno.readDirSync("/proc/self/fd")].length;
    const before = fds();
    const config = { file: `${dir}/out.log`, stderrFile: `${dir}/missing/err.log` };
    await assert.rejects(openContainerStdio("web", config), Deno.errors.NotFound);
    strictEqual(fds(), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a write that fails still ends the output: done settles", async () => {
  const broken = {
    writeSync: (): number => {
      throw new Deno.errors.BrokenPipe("closed");
    },
  };
  const { stdio, done } = await openContainerStdio("web", "console", { stdout: broken });
  const writer = (stdio.stdout as WritableStream<Uint8Array>).getWriter();
  await assert.rejects(writer.write(new TextEncoder().encode("one\n")), Deno.errors.BrokenPipe);
  await (stdio.stderr as WritableStream<Uint8Array>).close();
  await done;
});

Deno.test("a log file that fails on the last line is still released", async () => {
  const fds = () => [...Deno.readDirSync("/proc/self/fd")].length;
  const before = fds();
  const { stdio, done } = await openContainerStdio("web", { file: "/dev/full" });
  const writer = (stdio.stdout as WritableStream<Uint8Array>).getWriter();
  await writer.write(new TextEncoder().encode("no newline"));
  await assert.rejects(writer.close());
  await (stdio.stderr as WritableStream<Uint8Array>).close();
  await done;
  strictEqual(fds(), before);
});
