/**
 * Whether a value is an error (from any realm: `Object.prototype.toString` sees
 * the internal error slot, unlike `instanceof`) whose `name` is one of `names`.
 */
export function isErrorNamed(value: unknown, names: ReadonlySet<string> | string): value is Error {
  if (typeof value !== 'object' || value === null) return false;
  if (!(value instanceof Error) && Object.prototype.toString.call(value) !== '[object Error]') return false;
  const name = (value as { name?: unknown }).name;
  if (typeof name !== 'string') return false;
  return typeof names === 'string' ? name === names : names.has(name);
}
