import { brandErrorClass } from "./error_brand.ts";
import { RuntimeCommandError, type RuntimeCommandErrorOptions } from "./errors.ts";

/**
 * Fields of the errors about one container.
 *
 * @example
 * ```ts no-assert
 * import type { ContainerErrorOptions } from "@weft/runtime";
 *
 * const options: ContainerErrorOptions = {
 *   id: "web",
 *   argv: ["runc", "start", "web"],
 *   code: 1,
 *   runtimeMessage: "container does not exist",
 * };
 * ```
 */
export interface ContainerErrorOptions extends RuntimeCommandErrorOptions {
  /** The container id. */
  id: string;
}

/**
 * The runtime does not know the container id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerNotFoundError, RuntimeCommandError } from "@weft/runtime";
 *
 * const error = new ContainerNotFoundError('Container "web" does not exist', {
 *   id: "web",
 *   argv: ["runc", "start", "web"],
 *   code: 1,
 *   runtimeMessage: "container does not exist",
 * });
 * assert.ok(error instanceof RuntimeCommandError);
 * ```
 */
export class ContainerNotFoundError extends RuntimeCommandError {
  static {
    brandErrorClass(this, "ContainerNotFoundError");
  }
  /** The container id. */
  readonly id: string;
  /** Creates the error. */
  constructor(message: string, options: ContainerErrorOptions) {
    super(message, options);
    this.name = "ContainerNotFoundError";
    this.id = options.id;
  }
}

/**
 * The runtime already holds a container with this id: `create` refused it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerExistsError, RuntimeCommandError } from "@weft/runtime";
 *
 * const error = new ContainerExistsError('Cannot create container "web": it already exists', {
 *   id: "web",
 *   argv: ["runc", "create", "--bundle", "/bundles/web", "web"],
 *   code: 1,
 *   runtimeMessage: "container with given ID already exists",
 * });
 * assert.ok(error instanceof RuntimeCommandError);
 * assert.equal(error.id, "web");
 * ```
 */
export class ContainerExistsError extends RuntimeCommandError {
  static {
    brandErrorClass(this, "ContainerExistsError");
  }
  /** The container id. */
  readonly id: string;
  /** Creates the error. */
  constructor(message: string, options: ContainerErrorOptions) {
    super(message, options);
    this.name = "ContainerExistsError";
    this.id = options.id;
  }
}

/**
 * The container exists but is not running (for example a signal sent to a
 * container that has already stopped).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerNotRunningError } from "@weft/runtime";
 *
 * const error = new ContainerNotRunningError('Container "web" is not running', {
 *   id: "web",
 *   argv: ["runc", "kill", "web", "15"],
 *   code: 1,
 *   runtimeMessage: "container not running",
 * });
 * assert.equal(error.id, "web");
 * ```
 */
export class ContainerNotRunningError extends RuntimeCommandError {
  static {
    brandErrorClass(this, "ContainerNotRunningError");
  }
  /** The container id. */
  readonly id: string;
  /** Creates the error. */
  constructor(message: string, options: ContainerErrorOptions) {
    super(message, options);
    this.name = "ContainerNotRunningError";
    this.id = options.id;
  }
}
