/**
 * Access to the library functions the analyses use. The loss / assignment families land in the
 * library from separate branches; an analysis whose function is not there yet reports itself as
 * missing instead of failing the run.
 */
import * as api from '../api';

/** The library function `name`, or `undefined` when this build of the library does not have it. */
export function libFn<T extends (...args: any[]) => any>(name: string): T | undefined {
  const f = (api as Record<string, unknown>)[name];
  return typeof f === 'function' ? (f as T) : undefined;
}

/** Names among `names` the library does not export (yet). */
export function missingFns(...names: string[]): string[] {
  return names.filter((n) => libFn(n) === undefined);
}
