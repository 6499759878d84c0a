import { configure, type LogLevel, type LogRecord, type Sink } from "@logtape/logtape";
import { writeAllSync } from "@weft/runtime";

/** The log levels `--log-level` accepts. */
export const LOG_LEVELS: readonly LogLevel[] = [
  "trace",
  "debug",
  "info",
  "warning",
  "error",
  "fatal",
];

function show(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * One line per record: time, level, category, the message with its values
 * substituted, then every property the message does not show as `key=value`,
 * so that container id, pid, exit status and delay are always on the line.
 */
function formatText(record: LogRecord): string {
  const message = record.message.map((part, i) =>
    i % 2 === 0 || typeof part === "string" ? String(part) : show(part)
  ).join("");
  const template = typeof record.rawMessage === "string"
    ? record.rawMessage
    : record.rawMessage.join("");
  const shown = new Set([...template.matchAll(/\{([^{}]+)\}/g)].map((match) => match[1]));
  const extra = Object.entries(record.properties)
    .filter(([key, value]) => !shown.has(key) && value !== undefined)
    .map(([key, value]) => ` ${key}=${show(value)}`)
    .join("");
  const level = record.level.toUpperCase().padEnd(7);
  return `${new Date(record.timestamp).toISOString()} ${level} ${
    record.category.join(".")
  }: ${message}${extra}\n`;
}

/** The same as JSON, one object per line. */
function formatJson(record: LogRecord): string {
  const message = record.message.map((part, i) => i % 2 === 0 ? String(part) : show(part)).join("");
  const properties = Object.fromEntries(
    Object.entries(record.properties).map((
      [key, value],
    ) => [key, value instanceof Error ? value.message : value]),
  );
  return `${
    JSON.stringify({
      time: new Date(record.timestamp).toISOString(),
      level: record.level,
      category: record.category.join("."),
      message,
      ...properties,
    })
  }\n`;
}

/**
 * Sends every `weft` log record to stderr, synchronously (so that nothing is
 * lost when the process exits or powers off right after).
 */
export async function setUpLogging(level: LogLevel, format: "text" | "json"): Promise<void> {
  const encoder = new TextEncoder();
  const formatter = format === "json" ? formatJson : formatText;
  const stderr: Sink = (record) => {
    writeAllSync(Deno.stderr, encoder.encode(formatter(record)));
  };
  await configure({
    reset: true,
    sinks: { stderr },
    loggers: [
      { category: ["weft"], lowestLevel: level, sinks: ["stderr"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
    ],
  });
}
