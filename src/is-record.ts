/**
 * The one check for a JSON object (a mapping, not an array, not null).
 */

/**
 * Whether a value is a non-null object that is not an array: a JSON object or mapping.
 *
 * @example
 * ```ts
 * isRecord({ a: 1 }); // true
 * isRecord([1]); // false
 * isRecord(null); // false
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
