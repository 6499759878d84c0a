import { parseSignal, validateContainerId } from "@weft/runtime";
import type { ErrorBody } from "./protocol.ts";
import { readAtMost } from "./_bytes.ts";

/** A refusal the server answers with `status` and an {@linkcode ErrorBody}. */
export class ApiError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The stable word of the error body. */
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }

  /** The JSON answer. */
  response(headers: HeadersInit = {}): Response {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    return Response.json(body, { status: this.status, headers });
  }
}

/** A 400 naming what was wrong. */
export function badRequest(message: string): ApiError {
  return new ApiError(400, "bad-request", message);
}

/** The container id of a path segment: decoded, then checked with runc's rules. */
export function pathId(segment: string): string {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    throw badRequest(`Invalid container id in the path: ${JSON.stringify(segment)} is not valid`);
  }
  try {
    return validateContainerId(id);
  } catch (error) {
    throw badRequest((error as Error).message);
  }
}

/** The canonical name of a signal named in a body, or a 400. */
export function signalField(value: unknown): string {
  try {
    return parseSignal(value, "signal").name;
  } catch (error) {
    throw badRequest(`body.signal: ${(error as Error).message}`);
  }
}

/** The query parameters of `url`, refusing any not in `allowed` and any given twice. */
export function queryOf(url: URL, allowed: readonly string[]): Map<string, string> {
  const query = new Map<string, string>();
  for (const [key, value] of url.searchParams) {
    if (!allowed.includes(key)) {
      throw badRequest(
        `Unknown query parameter "${key}"` +
          (allowed.length > 0 ? ` (expected ${allowed.join(", ")})` : ": this call takes none"),
      );
    }
    if (query.has(key)) throw badRequest(`Query parameter "${key}" given twice`);
    query.set(key, value);
  }
  return query;
}

/** A non-negative integer query parameter (at most `max`), or `fallback` when absent. */
export function intParam(
  query: Map<string, string>,
  key: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const text = query.get(key);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value > max) {
    throw badRequest(`Invalid ${key}=${JSON.stringify(text)}: expected an integer 0 to ${max}`);
  }
  return value;
}

/** A boolean query parameter: `true`/`1` or `false`/`0`. */
export function boolParam(query: Map<string, string>, key: string): boolean {
  const text = query.get(key);
  if (text === undefined || text === "false" || text === "0") return false;
  if (text === "true" || text === "1" || text === "") return true;
  throw badRequest(`Invalid ${key}=${JSON.stringify(text)}: expected true or false`);
}

/**
 * The JSON object body of `request`, read up to `maxBytes` (413 past it,
 * whatever Content-Length says), with no field outside `fields`. An empty
 * body is `{}`.
 */
export async function jsonBody(
  request: Request,
  maxBytes: number,
  fields: readonly string[],
): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readLimited(request, maxBytes);
  if (bytes.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw badRequest(`The body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(
      `The body must be a JSON object, got ${Array.isArray(body) ? "an array" : typeof body}`,
    );
  }
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) {
      throw badRequest(
        `body.${key}: unknown field` +
          (fields.length > 0 ? ` (expected ${fields.join(", ")})` : " (this call takes no field)"),
      );
    }
  }
  return body as Record<string, unknown>;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "too-large", `The body is larger than ${maxBytes} bytes`);
}

async function readLimited(request: Request, maxBytes: number): Promise<Uint8Array> {
  const bytes = await readAtMost(request.body, maxBytes);
  if (bytes === undefined) throw tooLarge(maxBytes);
  return bytes;
}
