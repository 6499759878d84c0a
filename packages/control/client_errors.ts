/**
 * The endpoint answered with an error (4xx, 5xx) or an exec ended in an
 * `error` frame: `status` is the HTTP status, `code` the stable word of the
 * answer (`bad-request`, `not-found`, `conflict`, `timeout`...). Also what
 * the client makes of an answer that is not the API's: `not-json` (a body,
 * or a line of a stream, that does not parse), `frame-too-large`.
 *
 * @example
 * ```ts
 * import { ControlError } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const error = new ControlError("No container \"db\"", { status: 404, code: "not-found" });
 * assert.equal(error.status, 404);
 * ```
 */
export class ControlError extends Error {
  /** The HTTP status (0 for an exec that failed after it began). */
  readonly status: number;
  /** The stable word of the answer. */
  readonly code: string;

  /** An error saying `message`. */
  constructor(message: string, options: { status: number; code: string } & ErrorOptions) {
    super(message, options);
    this.name = "ControlError";
    this.status = options.status;
    this.code = options.code;
  }
}

/**
 * Nothing answered at the address: no socket, nobody listening, the
 * connection refused or cut.
 *
 * @example
 * ```ts
 * import { ControlUnreachableError } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const error = new ControlUnreachableError("Cannot reach unix:/run/weft/control.sock: no such socket");
 * assert.equal(error.name, "ControlUnreachableError");
 * ```
 */
export class ControlUnreachableError extends Error {
  /** An error saying `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ControlUnreachableError";
  }
}

/**
 * The call got no answer within its timeout.
 *
 * @example
 * ```ts
 * import { ControlTimeoutError } from "@weft/control";
 * import assert from "node:assert/strict";
 *
 * const error = new ControlTimeoutError("No answer from unix:/run/weft/control.sock within 30000 ms");
 * assert.equal(error.name, "ControlTimeoutError");
 * ```
 */
export class ControlTimeoutError extends Error {
  /** An error saying `message`. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ControlTimeoutError";
  }
}
