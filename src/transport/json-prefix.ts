/**
 * Reading named top-level fields from the start of a JSON object whose end is
 * missing (an error body cut at the error-body limit): every member that is
 * complete within the prefix can be read, the one the cut went through cannot.
 */

/**
 * The top-level members named in `names` that are complete in `text`, the
 * start of a JSON object. Stops at the first member the text cuts or that is
 * not valid JSON; `undefined` when the text does not start an object. Keys are
 * kept as data (a `__proto__` member is an own property, as `JSON.parse` makes it).
 *
 * @example
 * ```ts
 * readPrefixFields('{"errcode":"M_FORBIDDEN","error":"no","pad":"xxxx', new Set(['errcode', 'error']));
 * // { errcode: 'M_FORBIDDEN', error: 'no' }
 * ```
 */
export function readPrefixFields(text: string, names: ReadonlySet<string>): Record<string, unknown> | undefined {
  let at = skipSpace(text, 0);
  if (text[at] !== '{') return undefined;
  const out: Record<string, unknown> = {};
  at++;
  for (;;) {
    at = skipSpace(text, at);
    if (text[at] !== '"') return out;
    const keyEnd = stringEnd(text, at);
    if (keyEnd < 0) return out;
    let key: unknown;
    try {
      key = JSON.parse(text.slice(at, keyEnd));
    } catch {
      return out;
    }
    at = skipSpace(text, keyEnd);
    if (text[at] !== ':') return out;
    const valueStart = skipSpace(text, at + 1);
    const valueEnd = valueEndAt(text, valueStart);
    if (valueEnd < 0) return out;
    if (typeof key === 'string' && names.has(key)) {
      try {
        const value: unknown = JSON.parse(text.slice(valueStart, valueEnd));
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      } catch {
        return out;
      }
    }
    at = skipSpace(text, valueEnd);
    if (text[at] !== ',') return out;
    at++;
  }
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t')) at++;
  return at;
}

/** The index after the closing quote of the string starting at `at`, or -1 when the text ends first. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
  }
  return -1;
}

/** The index after the value starting at `at`, or -1 when the text ends (or nests too deep) first. */
function valueEndAt(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return stringEnd(text, at);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        const end = stringEnd(text, i);
        if (end < 0) return -1;
        i = end - 1;
      } else if (c === '{' || c === '[') {
        if (++depth > 64) return -1;
      } else if (c === '}' || c === ']') {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: it ends at a delimiter, which must be in the text.
  for (let i = at; i < text.length; i++) {
    const c = text[i];
    if (c === ',' || c === '}' || c === ' ' || c === '\n' || c === '\r' || c === '\t') return i > at ? i : -1;
  }
  return -1;
}
