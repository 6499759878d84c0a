import assert from "node:assert/strict";
import { RuntimeOutputError } from "@weft/runtime";
import { parseYoukiList } from "./list_table.ts";

const table = await Deno.readTextFile(new URL("./testdata/list_table.txt", import.meta.url));

Deno.test("youki's list table parses into entries, bundle paths with spaces included", () => {
  const raw = (cells: string[]) =>
    Object.fromEntries(
      ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "CREATOR"].map((c, i) => [c, cells[i]]),
    );
  assert.deepEqual(parseYoukiList(table), [
    {
      id: "weft-youki-web",
      status: "running",
      pid: 4242,
      bundle: "/srv/bundles/web",
      created: "2024-05-01T12:00:00+02:00",
      raw: raw([
        "weft-youki-web",
        "4242",
        "Running",
        "/srv/bundles/web",
        "2024-05-01T12:00:00+02:00",
        "root",
      ]),
    },
    {
      id: "weft-youki-old",
      status: "stopped",
      pid: 0,
      bundle: "/srv/my bundles/old",
      created: "2024-05-01T11:00:00+02:00",
      raw: raw([
        "weft-youki-old",
        "4100",
        "Stopped",
        "/srv/my bundles/old",
        "2024-05-01T11:00:00+02:00",
        "root",
      ]),
    },
    {
      id: "weft-youki-new",
      status: "created",
      pid: 4300,
      bundle: "/srv/bundles/new",
      created: "2024-05-01T12:05:00+02:00",
      raw: raw([
        "weft-youki-new",
        "4300",
        "Created",
        "/srv/bundles/new",
        "2024-05-01T12:05:00+02:00",
        "",
      ]),
    },
    {
      id: "weft-youki-gone",
      status: "stopped",
      pid: 0,
      bundle: "/srv/bundles/gone",
      raw: raw(["weft-youki-gone", "", "Stopped", "/srv/bundles/gone", "", ""]),
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
