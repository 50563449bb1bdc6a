/**
 * Reading and checking a registration: every problem at once, each naming its
 * field, none quoting a token. The rules are the spec's and those Synapse applies
 * when it loads the file, so a registration that passes here loads there.
 */
import { isRecord } from '../is-record.js';
import { compileNamespaceRegex } from './namespace.js';
import { isHttpUrl, LOCALPART_PATTERN, type AppserviceRegistration } from './registration.js';

/**
 * A registration that passed {@link validateRegistration}, and what it should still fix.
 *
 * @example
 * ```ts
 * const { registration, warnings }: RegistrationValidation = validateRegistration(parsed);
 * warnings.forEach((w) => console.warn(w));
 * ```
 */
export interface RegistrationValidation {
  /** A clean copy of the registration (keys that could reach a prototype dropped). */
  registration: AppserviceRegistration;
  /** Problems that do not stop a homeserver from loading it, e.g. an exclusive namespace without `_`. */
  warnings: string[];
}

/**
 * A registration a homeserver would refuse. `problems` lists every one, each
 * starting with the field it is about; no token is ever quoted.
 *
 * @example
 * ```ts
 * try { validateRegistration(value); }
 * catch (error) { if (error instanceof InvalidRegistrationError) console.error(error.problems.join('\n')); }
 * ```
 */
export class InvalidRegistrationError extends TypeError {
  override name = 'InvalidRegistrationError';
  /** Every problem, `field: what is wrong`. */
  readonly problems: readonly string[];
  /** The warnings found alongside. */
  readonly warnings: readonly string[];

  constructor(problems: readonly string[], warnings: readonly string[] = [], source?: string) {
    const where = source === undefined ? '' : ` (${source})`;
    super(`Invalid application service registration${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.problems = problems;
    this.warnings = warnings;
  }
}

/** Keys never copied out of untrusted input. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** The namespace kinds and the sigil of the ids each one matches. */
const NAMESPACE_KINDS = { users: '@', aliases: '#', rooms: '!' } as const;
/** Keys whose value must be a boolean when present. */
const BOOLEAN_KEYS = ['receive_ephemeral', 'rate_limited', 'de.sorunome.msc2409.push_ephemeral', 'org.matrix.msc3202', 'io.element.msc4190'];
/** What Synapse accepts as a `sender_localpart`: text that URL-encoding leaves unchanged. */
const URL_SAFE = /^[A-Za-z0-9._~/-]+$/;
/** Below this, a token is weaker than the generated ones (32 random bytes, base64url). */
const SHORT_TOKEN = 32;

/** A deep copy of JSON-like data without the keys that reach prototypes. */
function safeCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(safeCopy);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) if (!UNSAFE_KEYS.has(key)) out[key] = safeCopy(value[key]);
  return out;
}

function checkToken(value: Record<string, unknown>, key: 'as_token' | 'hs_token', problems: string[], warnings: string[]): void {
  const token = value[key];
  if (token === undefined) problems.push(`${key}: is missing`);
  else if (typeof token !== 'string' || token === '') problems.push(`${key}: must be a non-empty string`);
  else if (token.length < SHORT_TOKEN) warnings.push(`${key}: is short (${token.length} characters); generated tokens hold 32 random bytes or more`);
}

function checkNamespaces(namespaces: unknown, problems: string[], warnings: string[]): void {
  if (namespaces === undefined) return void problems.push('namespaces: is missing (write `namespaces: {}` for none; Synapse refuses a file without it)');
  if (!isRecord(namespaces)) return void problems.push('namespaces: must be a mapping of users, aliases and rooms');
  for (const key of Object.keys(namespaces)) {
    if (!(key in NAMESPACE_KINDS)) warnings.push(`namespaces.${key}: is not a namespace kind (users, aliases, rooms) and is ignored`);
  }
  for (const [kind, sigil] of Object.entries(NAMESPACE_KINDS)) {
    const list = namespaces[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.push(`namespaces.${kind}: must be a list (write [] for none)`);
      continue;
    }
    list.forEach((entry: unknown, index) => {
      const field = `namespaces.${kind}[${index}]`;
      if (!isRecord(entry)) return void problems.push(`${field}: must be a mapping with regex and exclusive`);
      if (typeof entry.exclusive !== 'boolean') problems.push(`${field}.exclusive: ${entry.exclusive === undefined ? 'is missing' : 'must be true or false'}`);
      if (typeof entry.regex !== 'string') return void problems.push(`${field}.regex: ${entry.regex === undefined ? 'is missing' : 'must be a string'}`);
      try {
        compileNamespaceRegex(entry.regex);
      } catch (error) {
        problems.push(`${field}.regex: is not a valid regex (${error instanceof Error ? error.message : String(error)})`);
        return;
      }
      const literal = /^\^?\\?([@#!])(\\?.)/.exec(entry.regex);
      if (entry.exclusive === true && kind !== 'rooms' && literal && literal[1] === sigil && literal[2] !== '_') {
        warnings.push(`${field}.regex: exclusive ${kind} namespaces should start with '_' (${sigil}_…), so they cannot clash with real ${kind}`);
      }
    });
  }
}

/**
 * Checks a registration as a homeserver loads it, and returns a clean copy with
 * its warnings. Throws {@link InvalidRegistrationError} listing every problem:
 * missing or mistyped fields, `url` missing rather than `null`, a `sender_localpart`
 * that is not URL-safe, missing or equal tokens, namespace entries without `regex`
 * or `exclusive`, regexes that do not compile.
 *
 * @param value The registration, as parsed from its file.
 * @param source Where it came from (a path), named in the error.
 * @example
 * ```ts
 * const { registration, warnings } = validateRegistration(JSON.parse(text));
 * for (const warning of warnings) console.warn(warning);
 * ```
 */
export function validateRegistration(value: unknown, source?: string): RegistrationValidation {
  if (!isRecord(value)) throw new InvalidRegistrationError(['(top level): must be a mapping of the registration keys'], [], source);
  const problems: string[] = [];
  const warnings: string[] = [];
  const { id, url, sender_localpart: sender, protocols } = value;

  if (id === undefined) problems.push('id: is missing');
  else if (typeof id !== 'string' || id === '') problems.push('id: must be a non-empty string');
  else if (id.includes('|')) problems.push(`id: may not contain '|'`);

  if (!('url' in value) || url === undefined) problems.push('url: is missing (give the URL, or `url: null` explicitly for an application service that receives nothing)');
  else if (url !== null && !isHttpUrl(url)) problems.push('url: must be an http(s) URL or null');

  checkToken(value, 'as_token', problems, warnings);
  checkToken(value, 'hs_token', problems, warnings);
  if (typeof value.as_token === 'string' && value.as_token !== '' && value.as_token === value.hs_token) {
    problems.push('hs_token: must differ from as_token (each authenticates a different direction)');
  }

  if (sender === undefined) problems.push('sender_localpart: is missing');
  else if (typeof sender !== 'string' || sender === '') problems.push('sender_localpart: must be a non-empty string');
  else if (!URL_SAFE.test(sender)) problems.push(`sender_localpart: '${sender}' holds characters that need URL encoding; use a-z, 0-9 and ._-`);
  else if (!LOCALPART_PATTERN.test(sender)) warnings.push(`sender_localpart: '${sender}' is not a valid user id localpart (a-z, 0-9 and ._=-/+)`);

  checkNamespaces(value.namespaces, problems, warnings);

  for (const key of BOOLEAN_KEYS) {
    if (value[key] !== undefined && typeof value[key] !== 'boolean') problems.push(`${key}: must be true or false`);
  }
  if (protocols !== undefined && protocols !== null && (!Array.isArray(protocols) || !protocols.every((p) => typeof p === 'string'))) {
    problems.push('protocols: must be a list of strings');
  }
  if (value.rate_limited === undefined) warnings.push('rate_limited: is not set, and Synapse then rate-limits the users of the namespace; bridges usually set it to false');

  if (problems.length > 0) throw new InvalidRegistrationError(problems, warnings, source);
  return { registration: safeCopy(value) as AppserviceRegistration, warnings };
}

/** What a YAML parse error carries, read defensively. */
interface YamlErrorLike {
  code?: unknown;
  pos?: readonly number[];
}

/** `at line L, column C` of an offset into the text (1-based), or nothing. */
function position(text: string, offset: number | undefined): string {
  if (offset === undefined || !Number.isInteger(offset) || offset < 0) return '';
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
}

/**
 * Parses a registration from its text, JSON or YAML (the YAML parser is loaded on
 * first use, so JSON-only applications never load it), then checks it with
 * {@link validateRegistration}. YAML is read as YAML 1.1, as Synapse reads it
 * (`exclusive: yes` is true). Parse errors name the line and column, never the text.
 *
 * @param source Where the text came from (a path), named in errors.
 * @example
 * ```ts
 * const { registration, warnings } = await parseRegistration(text);
 * ```
 */
export async function parseRegistration(text: string, source?: string): Promise<RegistrationValidation> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    const { parse } = await import('yaml');
    try {
      data = parse(text, { version: '1.1', prettyErrors: false, uniqueKeys: true, maxAliasCount: 100 });
    } catch (error) {
      const { code, pos } = (error ?? {}) as YamlErrorLike;
      const at = position(text, pos?.[0]);
      throw new InvalidRegistrationError([`(file): is neither JSON nor valid YAML${at}${typeof code === 'string' ? ` (${code})` : ''}`], [], source);
    }
  }
  return validateRegistration(data, source);
}
