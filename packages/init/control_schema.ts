import * as v from "valibot";
import { integer, strictObject } from "@weft/bundle/schema-kit";
import {
  DEFAULT_CONTROL_SOCKET,
  DEFAULT_JOURNAL_SIZE,
  DEFAULT_LOG_LINES,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_LINE_LENGTH,
  DEFAULT_MAX_STREAMS,
} from "@weft/control";

function bounded(
  min: number,
  max: number,
  description: string,
  fallback: number,
): v.OptionalSchema<v.GenericSchema<unknown, number>, number> {
  return v.optional(v.pipe(integer(min, max), v.description(description)), fallback);
}

const port = v.pipe(integer(1, 65535), v.description("The port."));

/**
 * The `control` section of the pod file: the control API of `@weft/control`,
 * served only when the section is present. The Unix socket always; vsock and
 * TCP only when named.
 */
export const CONTROL_SCHEMA = strictObject({
  socket: v.optional(
    v.pipe(
      v.string(),
      v.minLength(1, "a non-empty string"),
      v.description("The Unix socket, mode 0600 (relative to the pod file's directory)."),
    ),
    DEFAULT_CONTROL_SOCKET,
  ),
  vsock: v.optional(
    v.pipe(
      strictObject({
        port,
        cid: v.optional(v.pipe(integer(-1, 0xffffffff), v.description("-1: any (the default)."))),
      }),
      v.description("A vsock port for the micro-VM's host (needs deno run --unstable-vsock)."),
    ),
  ),
  tcp: v.optional(
    v.pipe(
      strictObject({
        hostname: v.pipe(v.string(), v.minLength(1, "a non-empty string")),
        port,
      }),
      v.description(
        "A TCP endpoint for QEMU user networking (restrict=on, hostfwd to the host's 127.0.0.1). No authentication: only where the network is private to the host.",
      ),
    ),
  ),
  logLines: bounded(1, 1_000_000, "Lines kept per container.", DEFAULT_LOG_LINES),
  maxLineLength: bounded(1, 1_048_576, "Characters kept of one line.", DEFAULT_MAX_LINE_LENGTH),
  journal: bounded(1, 1_000_000, "Events kept for replay from a cursor.", DEFAULT_JOURNAL_SIZE),
  maxBodyBytes: bounded(1024, 16_777_216, "The largest request body.", DEFAULT_MAX_BODY_BYTES),
  maxStreams: bounded(1, 4096, "Event/log follows and execs open at once.", DEFAULT_MAX_STREAMS),
});
