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
 * prototype, so subclasses inherit their parents' brands.
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
 */
export function hasErrorBrand(ctor: object, value: unknown): boolean {
  const symbol = Object.hasOwn(ctor, BRAND) ? (ctor as Branded)[BRAND] : undefined;
  if (symbol === undefined) return Function.prototype[Symbol.hasInstance].call(ctor, value);
  return typeof value === "object" && value !== null && symbol in value;
}
