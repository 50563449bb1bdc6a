/**
 * Each kind of check of the generated table, failing: required keys, types,
 * enumerated values, nested objects and arrays, variants, the Matrix id
 * formats; and what passes: extra keys, custom types, redacted events.
 */
import { describe, expect, it } from 'vitest';
import { validateEvent, validateEventContent, type ValidationIssue } from '../../src/validation/index.js';

const text = { msgtype: 'm.text', body: 'hello' };
const member = (content: Record<string, unknown>): Record<string, unknown> => ({
  type: 'm.room.member', state_key: '@bob:example.org', event_id: '$abc', sender: '@alice:example.org',
  origin_server_ts: 1, room_id: '!room:example.org', content,
});

type Case = [string, { type: string; content: unknown; want: Partial<ValidationIssue>[] }];

const FAILING: Case[] = [
  ['a missing required key', { type: 'm.room.message', content: { msgtype: 'm.text' }, want: [{ path: 'content.body', expected: 'present', found: 'missing' }] }],
  ['a key set to undefined (JSON drops it)', { type: 'm.room.message', content: { msgtype: 'm.text', body: undefined }, want: [{ path: 'content.body', found: 'missing' }] }],
  ['a wrong primitive type', { type: 'm.room.message', content: { msgtype: 'm.text', body: 42 }, want: [{ path: 'content.body', expected: 'a string', found: 'the number 42' }] }],
  ['content that is not an object', { type: 'm.room.topic', content: ['topic'], want: [{ path: 'content', expected: 'an object', found: 'an array (1 items)' }] }],
  ['a value outside the enum', { type: 'm.room.member', content: { membership: 'joined' }, want: [{ path: 'content.membership', found: 'the string "joined"' }] }],
  ['a bad value in an enum of a nested object', { type: 'm.room.join_rules', content: { join_rule: 'restricted', allow: [{ type: 'm.room_membership', room_id: 'room' }] }, want: [{ path: 'content.allow[0].room_id', expected: 'a room id (!opaque_id)' }] }],
  ['a bad user id', { type: 'm.room.pinned_events', content: { pinned: ['not-an-event'] }, want: [{ path: 'content.pinned[0]', expected: 'an event id ($opaque_id)' }] }],
  ['a user id without a server name', { type: 'm.typing', content: { user_ids: ['@alice'] }, want: [{ path: 'content.user_ids[0]', expected: 'a user id (@localpart:server.name)', found: 'the string "@alice"' }] }],
  ['a user id with a bad server name', { type: 'm.typing', content: { user_ids: ['@alice:exa mple.org'] }, want: [{ path: 'content.user_ids[0]' }] }],
  ['a bad room id', { type: 'm.room.create', content: { predecessor: { room_id: 'room:example.org' } }, want: [{ path: 'content.predecessor.room_id', expected: 'a room id (!opaque_id)', found: 'the string "room:example.org"' }] }],
  ['a bad room alias', { type: 'm.room.canonical_alias', content: { alt_aliases: ['lobby:example.org'] }, want: [{ path: 'content.alt_aliases[0]', expected: 'a room alias (#alias:server.name)' }] }],
  ['a bad mxc URI', { type: 'm.room.avatar', content: { url: 'https://example.org/a.png' }, want: [{ path: 'content.url', expected: 'an mxc URI (mxc://server.name/media_id)' }] }],
  ['an mxc URI with a bad media id', { type: 'm.room.avatar', content: { url: 'mxc://example.org/a/b' }, want: [{ path: 'content.url' }] }],
  ['a bad event id in a relation', { type: 'm.room.message', content: { ...text, 'm.relates_to': { rel_type: 'm.replace', event_id: 'abc' } }, want: [{ path: 'content["m.relates_to"].event_id', expected: 'an event id ($opaque_id)' }] }],
  ['a bad reply target', { type: 'm.room.message', content: { ...text, 'm.relates_to': { 'm.in_reply_to': { event_id: 7 } } }, want: [{ path: 'content["m.relates_to"]["m.in_reply_to"].event_id', expected: 'a string' }] }],
  ['a variant\'s own required key (m.location needs geo_uri)', { type: 'm.room.message', content: { msgtype: 'm.location', body: 'here' }, want: [{ path: 'content.geo_uri', found: 'missing' }] }],
  ['a bad value in a map of pattern properties', { type: 'm.direct', content: { '@bob:example.org': '!room:example.org' }, want: [{ path: 'content["@bob:example.org"]', expected: 'an array' }] }],
  ['an integer that is not whole', { type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2', rotation_period_ms: 1.5 }, want: [{ path: 'content.rotation_period_ms', expected: 'an integer' }] }],
  ['a power level that is not whole (strings of integers are allowed, as old rooms hold them)', { type: 'm.room.power_levels', content: { ban: 50.5 }, want: [{ path: 'content.ban', expected: 'an integer or a string' }] }],
];

describe('the generated checks', () => {
  it.each(FAILING)('report %s', (_name, { type, content, want }) => {
    const { valid, issues } = validateEventContent(type, content);
    expect(valid).toBe(false);
    expect(issues).toEqual(want.map((w) => expect.objectContaining(w)));
  });

  it.each<[string, string, unknown]>([
    ['a plain text message', 'm.room.message', text],
    ['keys the spec does not list', 'm.room.message', { ...text, 'com.example.extra': { any: 'thing' } }],
    ['a custom msgtype (the base schema applies)', 'm.room.message', { msgtype: 'com.example.poll', body: 'vote' }],
    ['a custom event type', 'com.example.anything', 42],
    ['an m. type newer than the spec', 'm.some_future_type', { anything: true }],
    ['a room version 12 room id (no server name)', 'm.room.create', { predecessor: { room_id: '!zWp0Bpzl2NlpgBm1fI3nb_QnJkhY2XxaXHu4d51F8H0' } }],
    ['ids with ports and IP literals', 'm.typing', { user_ids: ['@a:example.org:8448', '@b:1.2.3.4', '@c:[::1]:80'] }],
    ['an alias', 'm.room.canonical_alias', { alias: '#lobby:example.org', alt_aliases: ['#hall:example.org'] }],
  ])('pass %s', (_name, type, content) => {
    expect(validateEventContent(type, content)).toEqual({ valid: true, issues: [] });
  });

  it('checks the envelope of a room event: sender, event id, timestamp, and room_id unless the shape is sync', () => {
    const event = { type: 'm.room.message', event_id: 'e1', sender: 'alice', origin_server_ts: '1', content: text };
    expect(validateEvent(event, { shape: 'sync' }).issues.map((i) => i.path)).toEqual(['event_id', 'origin_server_ts', 'sender']);
    const good = { type: 'm.room.message', event_id: '$e1', sender: '@alice:example.org', origin_server_ts: 1, content: text };
    expect(validateEvent(good, { shape: 'sync' }).valid).toBe(true);
    expect(validateEvent(good).issues).toEqual([{ path: 'room_id', expected: 'present', found: 'missing' }]);
    expect(validateEvent({ ...good, room_id: '!r:example.org' }).valid).toBe(true);
  });

  it('requires a state_key on state events, and checks only type and content on basic ones', () => {
    const { state_key: _stateKey, ...withoutKey } = member({ membership: 'join' });
    expect(validateEvent(withoutKey).issues).toEqual([{ path: 'state_key', expected: 'present', found: 'missing' }]);
    expect(validateEvent(member({ membership: 'join' })).valid).toBe(true);
    expect(validateEvent({ type: 'm.room.encrypted', sender: '@a:example.org', content: { algorithm: 'm.olm.v1.curve25519-aes-sha2', sender_key: 'k', ciphertext: {} } }, { shape: 'basic' }).valid).toBe(true);
    expect(validateEvent({ type: 'm.typing', content: {} }, { shape: 'basic' }).issues).toEqual([{ path: 'content.user_ids', expected: 'present', found: 'missing' }]);
  });

  it('checks the keys a type\'s schema adds to the envelope: empty state keys, a member\'s user id, a redaction\'s target', () => {
    const create = { ...member({ room_version: '11' }), type: 'm.room.create', state_key: 'x' };
    expect(validateEvent(create).issues).toEqual([{ path: 'state_key', expected: 'a string matching /^$/', found: 'a string (1 characters)' }]);
    expect(validateEvent({ ...create, state_key: '' }).valid).toBe(true);
    expect(validateEvent({ ...member({ membership: 'join' }), state_key: 'bob' }).issues).toEqual([
      { path: 'state_key', expected: 'a user id (@localpart:server.name)', found: 'the string "bob"' },
    ]);
    const redaction = { type: 'm.room.redaction', event_id: '$r', sender: '@a:example.org', origin_server_ts: 1, room_id: '!r:example.org', content: {} };
    expect(validateEvent({ ...redaction, redacts: 'e1' }).issues.map((i) => i.path)).toEqual(['redacts']);
    expect(validateEvent({ ...redaction, redacts: '$e1' }).valid).toBe(true);
    expect(validateEvent({ type: 'm.presence', content: { presence: 'online' } }, { shape: 'basic' }).issues).toEqual([{ path: 'sender', expected: 'present', found: 'missing' }]);
  });

  it('does not check the content of a redacted event, which redaction emptied', () => {
    const redacted = { ...member({}), unsigned: { redacted_because: { type: 'm.room.redaction' } } };
    expect(validateEvent(redacted).valid).toBe(true);
    expect(validateEvent(member({})).issues).toEqual([{ path: 'content.membership', expected: 'present', found: 'missing' }]);
  });

  it('answers an issue for what is not an event at all', () => {
    expect(validateEvent(null).issues).toEqual([{ path: '', expected: 'an event object', found: 'null' }]);
    expect(validateEvent({ content: {} }).issues).toEqual([{ path: 'type', expected: 'a string', found: 'missing' }]);
    expect(validateEvent({ type: '__proto__', content: {} }).valid).toBe(true);
  });

  it('never echoes free text, and bounds every excerpt', () => {
    const secret = 'S3CRET-'.repeat(20);
    const { issues } = validateEventContent('m.secret.send', { request_id: 'r', secret: 12, extra: secret });
    expect(JSON.stringify(issues)).not.toContain('S3CRET');
    const long = validateEventContent('m.room.avatar', { url: `https://${'x'.repeat(500)}` }).issues[0]!;
    expect(long.found.length).toBeLessThan(60);
    const free = validateEventContent('m.room.message', { msgtype: 'm.text', body: ['a secret in an array'] }).issues[0]!;
    expect(free.found).toBe('an array (1 items)');
    const wrongType = validateEventContent('m.room.topic', { topic: 5, 'm.topic': 'a secret string' }).issues;
    expect(JSON.stringify(wrongType)).not.toContain('a secret string');
  });

  it('stops at 20 issues', () => {
    const { issues } = validateEventContent('m.typing', { user_ids: Array.from({ length: 100 }, (_, i) => `bad${i}`) });
    expect(issues).toHaveLength(20);
  });
});
