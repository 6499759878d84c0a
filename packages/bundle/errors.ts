import { InvalidArgumentError } from "@weft/runtime";
import { brandErrorClass } from "@weft/runtime/error-brand";

// Re-exported so that the base class of ContainerSpecError is part of this
// package's documented API.
export { InvalidArgumentError };

/**
 * Fields of {@linkcode ContainerSpecError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerSpecError, type ContainerSpecErrorOptions } from "@weft/bundle";
 *
 * const options: ContainerSpecErrorOptions = { field: "rootfs", expected: "an absolute path", value: "web" };
 * const error = new ContainerSpecError(options);
 * assert.ok(error.field === "rootfs" && error instanceof TypeError);
 * ```
 */
export interface ContainerSpecErrorOptions extends ErrorOptions {
  /** The path of the refused field, e.g. `process.user` or `containers[2].mounts[0].source`. */
  field: string;
  /** What the field should have held, e.g. `an absolute path`. */
  expected: string;
  /** The value that was refused. */
  value: unknown;
}

/**
 * A container spec was refused before anything ran: the field path, what it
 * should have held and the value it held. An {@linkcode InvalidArgumentError}
 * from `@weft/runtime` (so a `TypeError`) whose `argument` is the field path.
 * Like the errors of `@weft/runtime`, `instanceof` holds for one made by
 * another copy of this package (a bundled host and a plugin each carry one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerSpecError } from "@weft/bundle";
 *
 * const error = new ContainerSpecError({
 *   field: "process.user",
 *   expected: '"uid:gid" or a user name in the rootfs\'s /etc/passwd',
 *   value: "nobody",
 * });
 * assert.ok(error.message.startsWith('Invalid process.user "nobody": expected'));
 * assert.ok(error.field === "process.user" && error instanceof TypeError);
 * ```
 */
export class ContainerSpecError extends InvalidArgumentError {
  // instanceof by brand comes from InvalidArgumentError's [Symbol.hasInstance].
  static {
    brandErrorClass(this, "ContainerSpecError");
  }
  /** The path of the refused field (the same as `argument`). */
  readonly field: string;
  /** What the field should have held. */
  readonly expected: string;
  /** Creates the error; the message is built from the fields. */
  constructor(options: ContainerSpecErrorOptions) {
    super(
      `Invalid ${options.field} ${show(options.value)}: expected ${options.expected}`,
      { argument: options.field, value: options.value, cause: options.cause },
    );
    this.name = "ContainerSpecError";
    this.field = options.field;
    this.expected = options.expected;
  }
}

function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}
