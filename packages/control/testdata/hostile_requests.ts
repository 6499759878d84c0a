import assert from "node:assert/strict";
import type { ControlClient } from "../client.ts";
/** One request the control API must refuse with a clear 4xx, and what it must say. */
export interface HostileRequest {
  name: string;
  method: string;
  path: string;
  body?: string | Uint8Array<ArrayBuffer>;
  status: number;
  message: RegExp;
}

const big = new Uint8Array(70_000).fill(0x20);

/**
 * Requests no well-behaved client sends, for a pod with a running container
 * `RUNNING` and a container `ENDED` that is not running: each names the
 * status and the message the API answers with. None may start or change
 * anything.
 */
export function hostileRequests(running: string, ended: string): HostileRequest[] {
  const c = (id: string, action = ""): string =>
    `/v1/containers/${id}${action ? `/${action}` : ""}`;
  const noSuchCall = (name: string, path: string, method = "GET"): HostileRequest => ({
    name,
    method,
    path,
    status: 404,
    message: /No such call/,
  });
  return [
    { name: "no version", method: "GET", path: "/status", status: 404, message: /under \/v1/ },
    noSuchCall("future version", "/v2/status"),
    noSuchCall("unknown call", "/v1/shutdown"),
    noSuchCall("prototype key", "/v1/constructor"),
    noSuchCall("proto key", "/v1/__proto__"),
    noSuchCall("container list", "/v1/containers"),
    noSuchCall("extra segment", `${c(running, "logs")}/x`),
    noSuchCall("unknown action", c(running, "pause"), "POST"),
    {
      name: "wrong method",
      method: "DELETE",
      path: "/v1/status",
      status: 405,
      message: /takes GET, not DELETE/,
    },
    {
      name: "GET a POST call",
      method: "GET",
      path: c(running, "exec"),
      status: 405,
      message: /takes POST/,
    },
    {
      name: "path-like id",
      method: "GET",
      path: c("..%2F..%2Fetc"),
      status: 400,
      message: /Invalid container id/,
    },
    {
      name: "dot-dot id",
      method: "POST",
      path: c("..", "signal"),
      status: 404,
      message: /No such call/,
    },
    { name: "slash id", method: "GET", path: c("a%2Fb"), status: 400, message: /may hold only/ },
    {
      name: "dash id",
      method: "GET",
      path: c("-rf"),
      status: 400,
      message: /must not start with "-"/,
    },
    {
      name: "bad escape id",
      method: "GET",
      path: c("%E0%A4%A"),
      status: 400,
      message: /Invalid container id/,
    },
    { name: "NUL id", method: "GET", path: c("a%00b"), status: 400, message: /may hold only/ },
    {
      name: "long id",
      method: "GET",
      path: c("a".repeat(300)),
      status: 400,
      message: /at most 255/,
    },
    {
      name: "unknown id",
      method: "GET",
      path: c("ghost"),
      status: 404,
      message: /No container "ghost"/,
    },
    {
      name: "malformed JSON",
      method: "POST",
      path: c(running, "signal"),
      body: "{signal:",
      status: 400,
      message: /not valid JSON/,
    },
    {
      name: "JSON array",
      method: "POST",
      path: c(running, "signal"),
      body: '["TERM"]',
      status: 400,
      message: /must be a JSON object/,
    },
    {
      name: "JSON string",
      method: "POST",
      path: "/v1/stop",
      body: '"now"',
      status: 400,
      message: /must be a JSON object/,
    },
    {
      name: "invalid UTF-8",
      method: "POST",
      path: c(running, "signal"),
      body: new Uint8Array([0x7b, 0xff, 0x7d]),
      status: 400,
      message: /not valid JSON/,
    },
    {
      name: "unknown field",
      method: "POST",
      path: c(running, "signal"),
      body: '{"signal":"TERM","all":true}',
      status: 400,
      message: /body.all: unknown field/,
    },
    {
      name: "field on a call without",
      method: "POST",
      path: c(running, "restart"),
      body: '{"force":true}',
      status: 400,
      message: /body.force: unknown field/,
    },
    {
      name: "missing signal",
      method: "POST",
      path: c(running, "signal"),
      body: "{}",
      status: 400,
      message: /body.signal: required/,
    },
    {
      name: "bad signal",
      method: "POST",
      path: c(running, "signal"),
      body: '{"signal":"BOOM"}',
      status: 400,
      message: /Invalid signal "BOOM"/,
    },
    {
      name: "signal 0",
      method: "POST",
      path: c(running, "signal"),
      body: '{"signal":0}',
      status: 400,
      message: /Invalid signal 0/,
    },
    {
      name: "signal 99",
      method: "POST",
      path: c(running, "signal"),
      body: '{"signal":99}',
      status: 400,
      message: /Invalid signal 99/,
    },
    {
      name: "huge body",
      method: "POST",
      path: c(running, "exec"),
      body: big,
      status: 413,
      message: /larger than/,
    },
    {
      name: "exec no args",
      method: "POST",
      path: c(running, "exec"),
      body: '{"args":[]}',
      status: 400,
      message: /body.args/,
    },
    {
      name: "exec shell string",
      method: "POST",
      path: c(running, "exec"),
      body: '{"args":"rm -rf /"}',
      status: 400,
      message: /body.args/,
    },
    {
      name: "exec bad env",
      method: "POST",
      path: c(running, "exec"),
      body: '{"args":["true"],"env":["NOEQUALS"]}',
      status: 400,
      message: /body.env/,
    },
    {
      name: "exec relative cwd",
      method: "POST",
      path: c(running, "exec"),
      body: '{"args":["true"],"cwd":"tmp"}',
      status: 400,
      message: /body.cwd/,
    },
    {
      name: "exec bad timeout",
      method: "POST",
      path: c(running, "exec"),
      body: '{"args":["true"],"timeout":-1}',
      status: 400,
      message: /body.timeout/,
    },
    {
      name: "exec runtime path",
      method: "POST",
      path: c(running, "exec"),
      body: '{"args":["true"],"binary":"/bin/sh"}',
      status: 400,
      message: /body.binary: unknown field/,
    },
    {
      name: "exec in a stopped container",
      method: "POST",
      path: c(ended, "exec"),
      body: '{"args":["true"]}',
      status: 409,
      message: /not running/,
    },
    {
      name: "signal a stopped container",
      method: "POST",
      path: c(ended, "signal"),
      body: '{"signal":"TERM"}',
      status: 409,
      message: /not running/,
    },
    {
      name: "unknown query",
      method: "GET",
      path: "/v1/status?verbose=1",
      status: 400,
      message: /Unknown query parameter "verbose"/,
    },
    {
      name: "bad cursor",
      method: "GET",
      path: "/v1/events?after=-1",
      status: 400,
      message: /Invalid after/,
    },
    {
      name: "bad tail",
      method: "GET",
      path: `${c(running, "logs")}?tail=lots`,
      status: 400,
      message: /Invalid tail/,
    },
    {
      name: "tail and after",
      method: "GET",
      path: `${c(running, "logs")}?tail=1&after=1`,
      status: 400,
      message: /tail or after/,
    },
    {
      name: "bad follow",
      method: "GET",
      path: "/v1/events?follow=maybe",
      status: 400,
      message: /Invalid follow/,
    },
    {
      name: "long stop reason",
      method: "POST",
      path: "/v1/stop",
      body: JSON.stringify({ reason: "x".repeat(300) }),
      status: 400,
      message: /body.reason/,
    },
  ];
}

/** Sends every hostile request to the Unix socket `socket` and asserts each answer; returns how many. */
export async function assertHostileRefused(
  socket: string,
  running: string,
  ended: string,
): Promise<number> {
  using http = Deno.createHttpClient({ proxy: { transport: "unix", path: socket } });
  const requests = hostileRequests(running, ended);
  for (const request of requests) {
    const { status, text } = await sendHostile(http, request);
    assert.equal(status, request.status, `${request.name}: ${text}`);
    assert.match(JSON.parse(text).error.message, request.message, request.name);
  }
  return requests.length;
}

/** Asserts that every call changing container `id` or the pod is refused with 409 while the pod stops. */
export async function assertRefusedWhileStopping(
  client: ControlClient,
  id: string,
  reason: RegExp,
): Promise<void> {
  const calls = [
    () => client.stopPod(),
    () => client.signal(id, "HUP"),
    () => client.restart(id),
    () => client.stopContainer(id),
    () => client.exec(id, ["true"]),
  ];
  for (const call of calls) {
    await assert.rejects(call(), (error: Error & { status?: number }) => {
      assert.equal(error.status, 409, error.message);
      assert.match(error.message, reason);
      return true;
    });
  }
}

/** Sends `request` with `client` to the endpoint; resolves with status and body text. */
async function sendHostile(
  client: Deno.HttpClient,
  request: HostileRequest,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://weft${request.path}`, {
    method: request.method,
    client,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return { status: response.status, text: await response.text() };
}
