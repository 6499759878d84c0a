import {
  type ContainerSummary,
  isContainerStatus,
  livePid,
  RuntimeOutputError,
} from "@weft/runtime";

/**
 * Options of {@linkcode parseYoukiList}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYoukiList, type ParseYoukiListOptions } from "@weft/youki";
 *
 * const options: ParseYoukiListOptions = { argv: ["youki", "--root", "/run/y", "list"] };
 * assert.ok(parseYoukiList("ID PID STATUS BUNDLE CREATED CREATOR\n", options).length === 0);
 * ```
 */
export interface ParseYoukiListOptions {
  /** The command line that printed the table, for errors. @default {["youki", "list"]} */
  argv?: readonly string[];
  /** The runtime's name, for errors. @default {"youki"} */
  name?: string;
}

const COLUMNS = ["ID", "PID", "STATUS", "BUNDLE", "CREATED", "CREATOR"] as const;

/**
 * Parses the table `youki list` prints (youki ignores `--format json`).
 * The columns are aligned with spaces, so each cell is cut at the offsets
 * of the header's column names; a bundle path may then contain spaces.
 * Statuses are lower-cased (youki prints `Running`); the pid is kept only
 * while created, running or paused (youki keeps a stopped container's);
 * `raw` holds the row's cells by column name, `CREATOR` included.
 *
 * @throws {RuntimeOutputError} when the header or a row is not what youki prints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseYoukiList, type ParseYoukiListOptions } from "@weft/youki";
 *
 * const table = "ID   PID   STATUS   BUNDLE     CREATED                    CREATOR\n" +
 *   "web  4242  Running  /srv/web   2024-05-01T10:00:00+00:00  root\n";
 * const options: ParseYoukiListOptions = { argv: ["youki", "list"] };
 * const [web] = parseYoukiList(table, options);
 * assert.ok(web.status === "running" && web.pid === 4242);
 * ```
 */
export function parseYoukiList(
  stdout: string,
  options: ParseYoukiListOptions = {},
): ContainerSummary[] {
  const argv = options.argv ?? ["youki", "list"];
  const fail = (why: string): never => {
    const shown = stdout.length > 500 ? `${stdout.slice(0, 500)}...` : stdout;
    throw new RuntimeOutputError(
      `Cannot parse ${options.name ?? "youki"} list output: ${why}: ${JSON.stringify(shown)}`,
      { argv, output: stdout },
    );
  };
  const lines = stdout.split("\n").filter((line) => line.trim() !== "");
  if (lines.length === 0) return fail("expected a header line");
  const header = [...lines[0]];
  const starts: number[] = [];
  for (const column of COLUMNS) {
    const at = [...header.join("").matchAll(/\S+/g)].find((m) => m[0] === column);
    if (at === undefined) return fail(`expected the column ${column} in the header`);
    // Offsets in code points, as youki's table writer counts characters.
    starts.push([...header.join("").slice(0, at.index)].length);
  }
  if (starts.some((start, i) => i > 0 && start <= starts[i - 1])) {
    return fail(`expected the columns in the order ${COLUMNS.join(" ")}`);
  }
  return lines.slice(1).map((line) => {
    const chars = [...line];
    const cells = starts.map((start, i) =>
      chars.slice(start, i + 1 < starts.length ? starts[i + 1] : undefined).join("").trim()
    );
    const [id, pidText, statusText, bundle, created] = cells;
    if (id === "" || /\s/.test(id)) {
      return fail(`expected a container id in ${JSON.stringify(line)}`);
    }
    if (!/^[0-9]*$/.test(pidText)) return fail(`expected a pid in ${JSON.stringify(line)}`);
    const status = statusText.toLowerCase();
    if (!isContainerStatus(status)) {
      return fail(`unknown status ${JSON.stringify(statusText)} in ${JSON.stringify(line)}`);
    }
    const summary: ContainerSummary = {
      id,
      status,
      pid: pidText === "" ? 0 : livePid(status, Number(pidText)),
      raw: Object.fromEntries(COLUMNS.map((column, i) => [column, cells[i]])),
    };
    if (bundle !== "") summary.bundle = bundle;
    if (created !== "") summary.created = created;
    return summary;
  });
}
