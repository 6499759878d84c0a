/**
 * Picks the runtime's own error message out of a `--log-format json` log:
 * the last entry whose level is error. runc and crun write
 * `{"level":"error","msg":...}`, youki `{"level":"ERROR","message":...}`.
 * Lines that are not JSON objects are skipped.
 */
export function lastJsonLogError(log: string): string | undefined {
  let found: string | undefined;
  for (const line of log.split("\n")) {
    const text = line.trim();
    if (!text.startsWith("{")) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      continue;
    }
    if (typeof entry !== "object" || entry === null) continue;
    const { level, msg, message } = entry as Record<string, unknown>;
    if (typeof level !== "string" || level.toLowerCase() !== "error") continue;
    const value = typeof msg === "string" ? msg : message;
    if (typeof value === "string" && value.trim() !== "") found = value.trim();
  }
  return found;
}
