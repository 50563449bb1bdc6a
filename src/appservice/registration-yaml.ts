/**
 * Writing a registration as YAML, deterministically: the spec's keys in the
 * spec's order, then any other key sorted; every string quoted, so that no value
 * is ever read back as a boolean, a number or null.
 */
import { isRecord } from '../is-record.js';
import type { AppserviceRegistration } from './registration.js';

/** The top-level keys in the order they are written; the others follow, sorted. */
const TOP_ORDER = [
  'id',
  'url',
  'as_token',
  'hs_token',
  'sender_localpart',
  'namespaces',
  'rate_limited',
  'receive_ephemeral',
  'de.sorunome.msc2409.push_ephemeral',
  'org.matrix.msc3202',
  'io.element.msc4190',
  'protocols',
];
const NAMESPACE_ORDER = ['users', 'aliases', 'rooms'];
const ENTRY_ORDER = ['regex', 'exclusive'];

function ordered(keys: string[], order: readonly string[]): string[] {
  const known = order.filter((key) => keys.includes(key));
  return [...known, ...keys.filter((key) => !order.includes(key)).sort()];
}

/** A double-quoted YAML string with every character outside printable ASCII escaped. */
function doubleQuoted(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (code >= 0x20 && code < 0x7f) out += char;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`a registration cannot hold the number ${value}`);
    return String(value);
  }
  if (typeof value === 'string') {
    // Single quotes keep regexes readable (no backslash doubling); they hold printable ASCII only.
    return /^[\x20-\x7e]*$/.test(value) ? `'${value.replace(/'/g, "''")}'` : doubleQuoted(value);
  }
  throw new TypeError(`a registration cannot hold a ${typeof value}`);
}

function key(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) && !/^(?:y|n|yes|no|on|off|true|false|null)$/i.test(name) ? name : scalar(name);
}

function orderFor(path: readonly string[]): readonly string[] {
  if (path.length === 0) return TOP_ORDER;
  if (path.length === 1 && path[0] === 'namespaces') return NAMESPACE_ORDER;
  if (path.length === 3 && path[0] === 'namespaces') return ENTRY_ORDER;
  return [];
}

function writeMapping(value: Record<string, unknown>, indent: string, path: readonly string[], lines: string[], firstPrefix?: string): void {
  const keys = ordered(Object.keys(value).filter((k) => value[k] !== undefined), orderFor(path));
  keys.forEach((name, index) => {
    const lead = index === 0 && firstPrefix !== undefined ? firstPrefix : indent;
    writeEntry(`${lead}${key(name)}:`, value[name], indent, [...path, name], lines);
  });
}

function writeEntry(head: string, value: unknown, indent: string, path: readonly string[], lines: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) return void lines.push(`${head} []`);
    lines.push(head);
    value.forEach((item) => {
      if (isRecord(item) && Object.keys(item).some((k) => item[k] !== undefined)) {
        writeMapping(item, `${indent}    `, [...path, '*'], lines, `${indent}  - `);
      } else if (Array.isArray(item) || isRecord(item)) {
        throw new TypeError(`a registration cannot hold nested or empty lists at ${path.join('.')}`);
      } else lines.push(`${indent}  - ${scalar(item)}`);
    });
    return;
  }
  if (isRecord(value)) {
    if (!Object.keys(value).some((k) => value[k] !== undefined)) return void lines.push(`${head} {}`);
    lines.push(head);
    writeMapping(value, `${indent}  `, path, lines);
    return;
  }
  lines.push(`${head} ${scalar(value)}`);
}

/**
 * Writes a registration as YAML, deterministically (the same registration always
 * gives the same text): spec keys in spec order, other keys sorted, every string
 * quoted. Homeservers read it as they read any registration file; it holds the
 * tokens, so store it where only the homeserver and the application service can read it.
 *
 * @example
 * ```ts
 * const yaml = registrationToYaml(generateRegistration({ id: 'irc', url: null, serverName: 'example.org', userPrefix: '_irc_' }));
 * // id: 'irc'
 * // url: null
 * // ...
 * ```
 */
export function registrationToYaml(registration: AppserviceRegistration): string {
  const lines: string[] = [];
  writeMapping(registration, '', [], lines);
  return `${lines.join('\n')}\n`;
}
