import { brandErrorClass, hasErrorBrand } from "./error_brand.ts";

/**
 * Base class of the registry's errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PluginError } from "@weft/runtime";
 *
 * const error = new PluginError('Unknown runtime "x"', { plugin: "x" });
 * assert.equal(error.plugin, "x");
 * ```
 */
export class PluginError extends Error {
  static {
    brandErrorClass(this, "PluginError");
  }
  /**
   * True for instances of this class made by any copy of @weft/runtime in
   * the process (a bundled host and a plugin each may carry one): identity
   * is a shared brand, not the prototype chain.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasErrorBrand(this, value);
  }
  /** The plugin name (or module specifier) concerned. */
  readonly plugin: string;
  /** Creates the error. */
  constructor(message: string, options: ErrorOptions & { plugin: string }) {
    super(message, options);
    this.name = "PluginError";
    this.plugin = options.plugin;
  }
}

/**
 * No plugin is registered under the name asked for; the message lists the
 * registered ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PluginNotFoundError } from "@weft/runtime";
 *
 * const error = new PluginNotFoundError('Unknown runtime "x"', { plugin: "x" });
 * assert.equal(error.name, "PluginNotFoundError");
 * ```
 */
export class PluginNotFoundError extends PluginError {
  static {
    brandErrorClass(this, "PluginNotFoundError");
  }
  /** Creates the error. */
  constructor(message: string, options: ErrorOptions & { plugin: string }) {
    super(message, options);
    this.name = "PluginNotFoundError";
  }
}

/**
 * A different plugin of the same name is already registered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PluginConflictError } from "@weft/runtime";
 *
 * const error = new PluginConflictError('Runtime "runc" is already registered', { plugin: "runc" });
 * assert.equal(error.name, "PluginConflictError");
 * ```
 */
export class PluginConflictError extends PluginError {
  static {
    brandErrorClass(this, "PluginConflictError");
  }
  /** Creates the error. */
  constructor(message: string, options: ErrorOptions & { plugin: string }) {
    super(message, options);
    this.name = "PluginConflictError";
  }
}

/**
 * The plugin implements another major version of the interface.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PluginVersionError } from "@weft/runtime";
 *
 * const error = new PluginVersionError("Wrong version", { plugin: "x", apiVersion: 2 });
 * assert.equal(error.apiVersion, 2);
 * ```
 */
export class PluginVersionError extends PluginError {
  static {
    brandErrorClass(this, "PluginVersionError");
  }
  /** The interface version the plugin declared. */
  readonly apiVersion: unknown;
  /** Creates the error. */
  constructor(message: string, options: ErrorOptions & { plugin: string; apiVersion: unknown }) {
    super(message, options);
    this.name = "PluginVersionError";
    this.apiVersion = options.apiVersion;
  }
}

/**
 * One plugin that selection tried, and why it was not usable.
 *
 * @example
 * ```ts no-assert
 * import type { TriedPlugin } from "@weft/runtime";
 *
 * const tried: TriedPlugin = { name: "crun", reason: 'binary "crun" not found' };
 * ```
 */
export interface TriedPlugin {
  /** The plugin name. */
  name: string;
  /** Why it was not available. */
  reason: string;
}

/**
 * No runtime could be selected: the named one is not available here, or
 * `"auto"` found none. Lists what was tried and why each failed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NoRuntimeAvailableError } from "@weft/runtime";
 *
 * const error = new NoRuntimeAvailableError("No container runtime is available", {
 *   tried: [{ name: "crun", reason: "binary not found" }],
 * });
 * assert.equal(error.tried.length, 1);
 * ```
 */
export class NoRuntimeAvailableError extends PluginError {
  static {
    brandErrorClass(this, "NoRuntimeAvailableError");
  }
  /** The plugins tried, in order. */
  readonly tried: readonly TriedPlugin[];
  /** Creates the error. */
  constructor(message: string, options: ErrorOptions & { tried: readonly TriedPlugin[] }) {
    super(message, { ...options, plugin: options.tried.map((t) => t.name).join(",") });
    this.name = "NoRuntimeAvailableError";
    this.tried = options.tried;
  }
}
