/**
 * Every event example of the spec (`data/event-schemas/examples`, read from the
 * spec tree itself, not from the generated table) passes the generated checks,
 * and every event type the spec defines has checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { requireSpecDir } from '../../spec/resolve.js';
import { EVENT_KINDS } from '../../generated/events.js';
import { isCheckedEventType, validateEvent, validateEventContent } from '../../src/validation/index.js';

const EXAMPLES = join(requireSpecDir(), 'data', 'event-schemas', 'examples');

/** An example file with its `$ref`s resolved: a referenced file's value, the referring object's own keys over it. */
function load(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  return resolve((file.endsWith('.json') ? JSON.parse(text) : parse(text)) as unknown, file) as Record<string, unknown>;
}

function resolve(value: unknown, file: string): unknown {
  if (Array.isArray(value)) return value.map((item) => resolve(item, file));
  if (typeof value !== 'object' || value === null) return value;
  const { $ref, ...rest } = value as Record<string, unknown>;
  const own = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, resolve(v, file)]));
  if (typeof $ref !== 'string') return own;
  const target = load(join(file, '..', $ref));
  return Array.isArray(target) ? target : { ...target, ...own };
}

const files = readdirSync(EXAMPLES).filter((name) => name.endsWith('.yaml')).sort();

/**
 * Examples that show a base schema's common fields only, with a variant's
 * discriminating value: the variant's required keys are rightly missing.
 */
const BASE_ONLY: Record<string, string[]> = {
  'm.key.verification.start.yaml': [
    'content.key_agreement_protocols', 'content.hashes', 'content.message_authentication_codes', 'content.short_authentication_string',
  ],
};

describe('the spec examples', () => {
  it('are all there to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(80);
  });

  it.each(files.filter((f) => !(f in BASE_ONLY)))('%s passes as a whole event', (file) => {
    const event = load(join(EXAMPLES, file));
    expect(typeof event.type).toBe('string');
    expect(isCheckedEventType(event.type as string)).toBe(true);
    expect(validateEvent(event).issues).toEqual([]);
    expect(validateEventContent(event.type as string, event.content).valid).toBe(true);
  });

  it('a base example with a variant value fails exactly on the keys the variant requires', () => {
    for (const [file, paths] of Object.entries(BASE_ONLY)) {
      const event = load(join(EXAMPLES, file));
      expect(validateEvent(event).issues.map((i) => i.path).sort()).toEqual([...paths].sort());
    }
  });

  it('cover every kind of event, and every event type the spec defines has checks', () => {
    const kinds = new Set(files.map((f) => EVENT_KINDS[load(join(EXAMPLES, f)).type as keyof typeof EVENT_KINDS]));
    expect([...kinds].sort()).toEqual(['other', 'room', 'state']);
    for (const type of Object.keys(EVENT_KINDS)) expect(isCheckedEventType(type), type).toBe(true);
  });
});
