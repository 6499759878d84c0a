import assert from "node:assert/strict";
import { RuntimeOutputError } from "@weft/runtime";
import { parseYoukiList } from "./list_table.ts";

const table = await Deno.readTextFile(new URL("./testdata/list_table.txt", import.meta.url));

Deno.test("youki's list table parses into entries, bundle paths with spaces included", () => {
  assert.deepEqual(parseYoukiList(table), [
    {
      id: "weft-youki-web",
      pid: 4242,
      status: "running",
      bundle: "/srv/bundles/web",
      created: "2024-05-01T12:00:00+02:00",
      creator: "root",
    },
    {
      id: "weft-youki-old",
      pid: 0,
      status: "stopped",
      bundle: "/srv/my bundles/old",
      created: "2024-05-01T11:00:00+02:00",
      creator: "root",
    },
    {
      id: "weft-youki-new",
      pid: 4300,
      status: "created",
      bundle: "/srv/bundles/new",
      created: "2024-05-01T12:05:00+02:00",
      creator: "",
    },
    {
      id: "weft-youki-gone",
      pid: 0,
      status: "stopped",
      bundle: "/srv/bundles/gone",
      created: "",
      creator: "",
    },
  ]);
});

Deno.test("a list table with only its header has no entries", () => {
  assert.deepEqual(parseYoukiList(table.split("\n")[0] + "\n"), []);
});

Deno.test("list output that is not youki's table is a RuntimeOutputError naming the problem", () => {
  const cases: [string, string][] = [
    ["", "expected a header line"],
    ['[{"id":"web"}]\n', "expected the column ID in the header"],
    [
      "ID  PID  STATUS  BUNDLE  CREATED  CREATOR\nweb  12  Sleeping  /b  x  root\n",
      'unknown status "Sleeping"',
    ],
    [
      "ID  PID  STATUS  BUNDLE  CREATED  CREATOR\nweb  1x  Running  /b  x  root\n",
      "expected a pid",
    ],
  ];
  for (const [output, why] of cases) {
    assert.throws(() => parseYoukiList(output, { argv: ["youki", "list"] }), (error: unknown) => {
      assert.ok(error instanceof RuntimeOutputError);
      assert.ok(error.message.startsWith(`Cannot parse youki list output: ${why}`), error.message);
      assert.equal(error.output, output);
      return true;
    });
  }
});
