/**
 * Error classes whose `instanceof` holds across copies of a package loaded in
 * one process, as @weft/runtime's and @weft/bundle's do; for a plugin's own
 * errors too.
 *
 * @module
 */

/** Where a branded class keeps its brand symbol. */
const BRAND: unique symbol = Symbol.for("@weft/runtime.errorBrand") as never;

type Branded = { [BRAND]?: symbol };

/**
 * Brands `ctor` so that `instanceof` holds for its instances from every copy
 * of @weft/runtime loaded in the process. Why: a bundled weft-init carries
 * its own copy, and a plugin loaded by path imports another; the registry is
 * shared across copies (on `globalThis`), so their errors meet, and a plain
 * `instanceof` would see two unrelated classes. The brand is a registered
 * symbol (`Symbol.for`), the same in every copy, set on the class's
 * prototype, so subclasses inherit their parents' brands. `brand` must be
 * unique in the process: weft's use their class names; prefix yours with
 * your package's (`"my-plugin/SlowCallError"`). Pair it with a static
 * `[Symbol.hasInstance]` that calls {@linkcode hasErrorBrand}, or extend a
 * class of @weft/runtime, which has one.
 *
 * @param ctor The class, from its `static {}` block.
 * @param brand Its name, unique in the process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidArgumentError } from "@weft/runtime";
 * import { brandErrorClass } from "@weft/runtime/error-brand";
 *
 * class SlowCallError extends InvalidArgumentError {
 *   static {
 *     brandErrorClass(this, "my-plugin/SlowCallError");
 *   }
 * }
 * const error = new SlowCallError("too slow", { argument: "timeout", value: 1 });
 * assert.ok(error instanceof SlowCallError && error instanceof InvalidArgumentError);
 * assert.ok(!(new InvalidArgumentError("x", { argument: "a", value: 1 }) instanceof SlowCallError));
 * ```
 */
export function brandErrorClass(
  ctor: abstract new (...args: never[]) => object,
  brand: string,
): void {
  const symbol = Symbol.for(`@weft/runtime/${brand}`);
  Object.defineProperty(ctor.prototype, symbol, { value: true });
  Object.defineProperty(ctor, BRAND, { value: symbol });
}

/**
 * `value instanceof ctor`, by brand for a branded class (see
 * {@linkcode brandErrorClass}), else by the prototype chain (a caller's own
 * subclass that did not brand itself).
 *
 * @param ctor The class asked about (`this` in its `[Symbol.hasInstance]`).
 * @param value The value tested.
 * @returns Whether `value` is an instance of `ctor` by brand or prototype.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { brandErrorClass, hasErrorBrand } from "@weft/runtime/error-brand";
 *
 * class QuotaError extends Error {
 *   static {
 *     brandErrorClass(this, "my-plugin/QuotaError");
 *   }
 *   static override [Symbol.hasInstance](value: unknown): boolean {
 *     return hasErrorBrand(this, value);
 *   }
 * }
 * assert.ok(new QuotaError() instanceof QuotaError);
 * assert.ok(!(new Error() instanceof QuotaError));
 * ```
 */
export function hasErrorBrand(ctor: object, value: unknown): boolean {
  const symbol = Object.hasOwn(ctor, BRAND) ? (ctor as Branded)[BRAND] : undefined;
  if (symbol === undefined) return Function.prototype[Symbol.hasInstance].call(ctor, value);
  return typeof value === "object" && value !== null && symbol in value;
}
