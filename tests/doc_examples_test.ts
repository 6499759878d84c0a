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
