import type { ContainerPhase } from "./pod_status.ts";

/**
 * A container was asked to go from one phase to another that its transition
 * table does not allow: a bug in the supervisor, never a user error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IllegalTransitionError } from "@weft/init";
 *
 * const error = new IllegalTransitionError("web", "waiting", "running");
 * assert.equal(error.message, 'Container "web" cannot go from waiting to running');
 * ```
 */
export class IllegalTransitionError extends Error {
  /** The phase it was in. */
  readonly from: ContainerPhase;
  /** The phase it was asked to enter. */
  readonly to: ContainerPhase;

  /** Creates the error. */
  constructor(id: string, from: ContainerPhase, to: ContainerPhase) {
    super(`Container "${id}" cannot go from ${from} to ${to}`);
    this.name = "IllegalTransitionError";
    this.from = from;
    this.to = to;
  }
}

/**
 * The pod has no container of that id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PodContainerNotFoundError } from "@weft/init";
 *
 * assert.equal(new PodContainerNotFoundError("web").message, 'The pod has no container "web"');
 * ```
 */
export class PodContainerNotFoundError extends Error {
  /** The id asked for. */
  readonly id: string;

  /** Creates the error. */
  constructor(id: string) {
    super(`The pod has no container "${id}"`);
    this.name = "PodContainerNotFoundError";
    this.id = id;
  }
}

/**
 * The container is not running, so it cannot take a signal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PodContainerNotRunningError } from "@weft/init";
 *
 * const error = new PodContainerNotRunningError("web", "backoff");
 * assert.equal(error.message, 'Container "web" is not running: it is in phase backoff');
 * ```
 */
export class PodContainerNotRunningError extends Error {
  /** The container. */
  readonly id: string;
  /** Its phase. */
  readonly phase: ContainerPhase;

  /** Creates the error. */
  constructor(id: string, phase: ContainerPhase) {
    super(`Container "${id}" is not running: it is in phase ${phase}`);
    this.name = "PodContainerNotRunningError";
    this.id = id;
    this.phase = phase;
  }
}

/**
 * The pod is stopping (or has ended): no container can be restarted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PodStoppingError } from "@weft/init";
 *
 * assert.equal(new PodStoppingError("web").name, "PodStoppingError");
 * ```
 */
export class PodStoppingError extends Error {
  /** Creates the error. */
  constructor(id: string, options?: ErrorOptions) {
    super(`Cannot restart container "${id}": the pod is stopping`, options);
    this.name = "PodStoppingError";
  }
}

/**
 * A restart of a container was overtaken by a stop asked after it (of that
 * container, or of the pod): the stop won, and the container ends stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ContainerRestartSupersededError } from "@weft/init";
 *
 * const error = new ContainerRestartSupersededError("web");
 * assert.equal(error.message, 'Cannot restart container "web": a stop asked after the restart won');
 * ```
 */
export class ContainerRestartSupersededError extends Error {
  /** The container. */
  readonly id: string;

  /** Creates the error. */
  constructor(id: string) {
    super(`Cannot restart container "${id}": a stop asked after the restart won`);
    this.name = "ContainerRestartSupersededError";
    this.id = id;
  }
}
