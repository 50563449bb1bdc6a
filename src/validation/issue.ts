/**
 * What a validation reports: where, what was expected, what was found, in
 * words that never echo a long value (excerpts are bounded, and given only for
 * ids and enumerated values, never for free text that might be a secret).
 */

import type { EventValidationIssue } from '../errors/event-validation-error.js';

/**
 * One problem a validation found (the same shape as {@link EventValidationIssue}).
 *
 * @example
 * ```ts
 * import { validateEventContent } from 'matrix-fluent/validation';
 * const [issue] = validateEventContent('m.room.message', { msgtype: 'm.text' }).issues;
 * // { path: 'content.body', expected: 'present', found: 'missing' }
 * ```
 */
export type ValidationIssue = EventValidationIssue;

/** The longest excerpt of a value an issue quotes, in characters. */
const EXCERPT = 32;

/** A bounded, quoted excerpt of a string. */
export function excerpt(value: string): string {
  return JSON.stringify(value.length > EXCERPT ? `${value.slice(0, EXCERPT)}…` : value);
}

/** What a value is, in words; `quote` adds a bounded excerpt of a string or a number. */
export function describe(value: unknown, quote = false): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array (${value.length} items)`;
  switch (typeof value) {
    case 'string':
      return quote ? `the string ${excerpt(value)}` : `a string (${value.length} characters)`;
    case 'number':
      return quote || Number.isFinite(value) ? `the number ${String(value).slice(0, EXCERPT)}` : 'a number';
    case 'boolean':
      return `the boolean ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The path of a key below `path`: `.key`, or `["m.key"]` (bounded) for any other key. */
export function childPath(path: string, key: string): string {
  if (IDENTIFIER.test(key) && key.length <= EXCERPT) return path === '' ? key : `${path}.${key}`;
  return `${path}[${excerpt(key)}]`;
}

/** The path of an array item below `path`. */
export function itemPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** One line for a log or an error message: the first issues, then how many more. */
export function summarise(issues: readonly ValidationIssue[], shown = 3): string {
  const first = issues.slice(0, shown).map((i) => `${i.path === '' ? '(the event)' : i.path}: expected ${i.expected}, found ${i.found}`);
  const more = issues.length > shown ? ` (and ${issues.length - shown} more)` : '';
  return first.join('; ') + more;
}
