/**
 * Calls every listener with `value`, in order; a listener that throws is
 * handed to `onError` and the others still run.
 */
export function notifyAll<T>(
  listeners: Iterable<(value: T) => void>,
  value: T,
  onError: (error: unknown) => void,
): void {
  for (const listener of listeners) {
    try {
      listener(value);
    } catch (error) {
      onError(error);
    }
  }
}
