import type { PodStatus } from "./pod_types.ts";
import type { EventFrame, Health } from "./protocol.ts";

/** Columns padded to their widest cell, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd())
    .join("\n") + "\n";
}

/** The pod line and one row per container. */
export function statusTable(status: PodStatus): string {
  const { pod } = status;
  const head =
    `pod ${pod.state} (runtime ${pod.runtime}, init pid ${pod.initPid}, since ${pod.startedAt})` +
    (pod.stopReason ? `, stop: ${pod.stopReason}` : "") +
    (pod.exitCode === null ? "" : `, exit code ${pod.exitCode}`);
  const rows = [["CONTAINER", "STATE", "PID", "RESTARTS", "EXITS", "LAST", "ERROR"]];
  for (const [id, c] of Object.entries(status.containers)) {
    rows.push([
      id,
      c.state,
      c.pid === null ? "-" : String(c.pid),
      String(c.restartCount),
      String(c.exitCount),
      c.lastStatus === null ? "-" : String(c.lastStatus),
      c.error ?? "",
    ]);
  }
  return `${head}\n${table(rows)}`;
}

/** One line per event: time, type, container, details. */
export function eventLine(frame: EventFrame): string {
  if ("gap" in frame) {
    return `(events ${frame.gap.from}-${frame.gap.to} were dropped before being read)\n`;
  }
  const { event, seq } = frame;
  const { type, at, ...rest } = event;
  const id = "id" in rest ? rest.id : "-";
  const details = Object.entries(rest).filter(([key]) => key !== "id")
    .map(([key, value]) => `${key}=${value}`).join(" ");
  return `${seq}  ${new Date(at).toISOString()}  ${type}  ${id}${details ? `  ${details}` : ""}\n`;
}

/** Health as `key: value` lines. */
export function healthText(health: Health): string {
  return `alive: ${health.alive}\nversion: ${health.version}\nuptime: ${
    (health.uptime / 1000).toFixed(1)
  } s\nruntime: ${health.runtime}\npid: ${health.pid}\npod: ${health.pod}\n`;
}
