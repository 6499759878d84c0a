import assert from "node:assert/strict";

interface Location {
  filename: string;
  line: number;
}

interface Declaration {
  location: Location;
  kind: string;
  jsDoc?: { tags?: { kind: string }[] };
  /** For a `reference` (a re-export of a symbol another entry point declares): where it is. */
  def?: { target?: Location };
}

interface DocNode {
  name: string;
  declarations?: Declaration[];
}

/** The entry points that are published: every package's `exports`. */
async function entryPoints(): Promise<string[]> {
  const root = JSON.parse(await Deno.readTextFile("deno.json")) as { workspace: string[] };
  const entries: string[] = [];
  for (const member of root.workspace) {
    const config = JSON.parse(await Deno.readTextFile(`${member}/deno.json`)) as {
      exports: Record<string, string> | string;
    };
    const exports = typeof config.exports === "string" ? { ".": config.exports } : config.exports;
    for (const path of Object.values(exports)) {
      entries.push(`${member}/${path.replace(/^\.\//, "")}`);
    }
  }
  return entries;
}

Deno.test("every published export has JSDoc with an example", async () => {
  const entries = await entryPoints();
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...entries],
    stdout: "piped",
  }).output();
  assert.ok(success, "deno doc --json ran");
  const doc = JSON.parse(new TextDecoder().decode(stdout)) as {
    nodes: Record<string, { symbols?: DocNode[] }>;
  };
  // A re-export is documented where its symbol is declared, as JSR shows it.
  const at = (location: Location) => `${location.filename}:${location.line}`;
  const declared = new Map<string, Declaration>();
  for (const { symbols = [] } of Object.values(doc.nodes)) {
    for (const d of symbols.flatMap((symbol) => symbol.declarations ?? [])) {
      if (d.kind !== "reference") declared.set(at(d.location), d);
    }
  }
  const resolve = (d: Declaration): Declaration | undefined =>
    d.kind === "reference" && d.def?.target ? declared.get(at(d.def.target)) : d;
  const missing: string[] = [];
  for (const [module, { symbols = [] }] of Object.entries(doc.nodes)) {
    for (const symbol of symbols) {
      const tags = (symbol.declarations ?? []).flatMap((d) => resolve(d)?.jsDoc?.tags ?? []);
      if (!tags.some((tag) => tag.kind === "example")) {
        missing.push(`${module.replace(/^.*\/packages\//, "")}: ${symbol.name}`);
      }
    }
  }
  assert.deepEqual(missing, [], "exports without an @example");
});

/** The ```ts blocks of the JSDoc comments of `text`, with their fence's attributes and line. */
function jsDocExamples(text: string): { line: number; attributes: string[]; code: string }[] {
  const examples = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*\*\s?```(?:ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*\*\s?```\s*$/.test(lines[i]); i++) {
      body.push(lines[i].replace(/^\s*\*\s?/, ""));
    }
    examples.push({
      line: start + 1,
      attributes: open[1].trim().split(/\s+/),
      code: body.join("\n"),
    });
  }
  return examples;
}

/** Every source file of the packages and examples, tests excepted. */
async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && !["testdata", "node_modules"].includes(entry.name)) {
      files.push(...await sourceFiles(path));
    } else if (entry.isFile && path.endsWith(".ts") && !path.endsWith("_test.ts")) {
      files.push(path);
    }
  }
  return files;
}

/** The names an example binds from "node:assert/strict" (default, named or namespace import). */
function assertNames(code: string): string[] {
  const names: string[] = [];
  for (const [, clause] of code.matchAll(/import\s+([^;]+?)\s+from\s+"node:assert\/strict"/g)) {
    const namespace = /^\*\s+as\s+(\w+)$/.exec(clause.trim());
    if (namespace) {
      names.push(namespace[1]);
      continue;
    }
    const [, defaultName, braces] = /^(\w+)?\s*,?\s*(?:\{([^}]*)\})?$/.exec(clause.trim()) ?? [];
    if (defaultName) names.push(defaultName);
    for (const part of braces?.split(",") ?? []) {
      const local = part.trim().split(/\s+as\s+/).pop();
      if (local) names.push(local);
    }
  }
  return names;
}

/** What makes the examples of `text` (the file `file`) unable to fail. */
function exampleProblems(file: string, text: string): string[] {
  const problems: string[] = [];
  for (const { line, attributes, code } of jsDocExamples(text)) {
    const where = `${file}:${line}`;
    if (/\bconsole\.assert\(/.test(code)) problems.push(`${where}: console.assert only prints`);
    if (attributes.includes("ignore") || attributes.includes("no-assert")) continue;
    const names = assertNames(code);
    if (names.length === 0) {
      problems.push(`${where}: no import from "node:assert/strict"`);
    } else {
      const body = code.replace(/import\s[^;]*?\sfrom\s+"[^"]+";/g, "");
      const calls = names.some((name) =>
        new RegExp(`\\b${name}\\s*(?:\\.\\w+)?\\s*\\(`).test(body)
      );
      if (!calls) problems.push(`${where}: no assertion`);
    }
  }
  return problems;
}

Deno.test("every doc example asserts with node:assert/strict, unless marked ignore or no-assert", async () => {
  const problems: string[] = [];
  for (const file of [...await sourceFiles("packages"), ...await sourceFiles("examples")]) {
    problems.push(...exampleProblems(file, await Deno.readTextFile(file)));
  }
  assert.deepEqual(problems, [], "examples that cannot fail (mark those meant so `no-assert`)");
});

Deno.test("the example check refuses console.assert and an example without an assertion", () => {
  const text = [
    "/**",
    " * ```ts",
    " * console.assert(1 === 2);",
    " * ```",
    " * ```ts",
    ' * import assert from "node:assert/strict";',
    " * const x = 1;",
    " * ```",
    " * ```ts no-assert",
    " * const y = 1;",
    " * ```",
    " * ```ts",
    ' * import assert from "node:assert/strict";',
    " * assert.equal(1, 1);",
    " * ```",
    " * ```ts",
    ' * import { ok as yes, throws } from "node:assert/strict";',
    " * yes(true);",
    " * ```",
    " */",
  ].join("\n");
  assert.deepEqual(exampleProblems("x.ts", text), [
    "x.ts:2: console.assert only prints",
    'x.ts:2: no import from "node:assert/strict"',
    "x.ts:5: no assertion",
  ]);
});
