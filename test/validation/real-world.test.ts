/**
 * Events as homeservers and clients really send them, where the spec's schema is
 * stricter than its own prose or than what servers emit: they pass, so `drop`
 * never loses a membership, a space-child removal or a legacy call.
 */
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../src/validation/index.js';

const envelope = { event_id: '$abc:example.org', sender: '@alice:example.org', origin_server_ts: 1_700_000_000_000, unsigned: { age: 12 } };

describe('real-world events under the validation', () => {
  it('accepts a membership whose avatar_url and displayname are null, as Synapse sends for a user without a profile', () => {
    const event = { ...envelope, type: 'm.room.member', state_key: '@alice:example.org', content: { membership: 'join', displayname: null, avatar_url: null } };
    expect(validateEvent(event, { shape: 'sync' }).issues).toEqual([]);
  });

  it('still refuses a membership whose avatar_url is a number', () => {
    const event = { ...envelope, type: 'm.room.member', state_key: '@alice:example.org', content: { membership: 'join', avatar_url: 5 } };
    expect(validateEvent(event, { shape: 'sync' }).issues.map((i) => i.path)).toEqual(['content.avatar_url']);
  });

  it('accepts a space child or parent with empty content, the way a room is taken out of a space', () => {
    for (const type of ['m.space.child', 'm.space.parent']) {
      const event = { ...envelope, type, state_key: '!child:example.org', content: {} };
      expect(validateEvent(event, { shape: 'sync' }).issues, type).toEqual([]);
    }
  });

  it('accepts a legacy call invite with the integer version 0 and no party_id, which the spec says must be accepted', () => {
    const event = { ...envelope, type: 'm.call.invite', content: { call_id: 'c1', version: 0, lifetime: 60_000, offer: { type: 'offer', sdp: 'v=0' } } };
    expect(validateEvent(event, { shape: 'sync' }).issues).toEqual([]);
  });

  it('still refuses a call invite whose version is a boolean', () => {
    const event = { ...envelope, type: 'm.call.invite', content: { call_id: 'c1', version: true, party_id: 'p', lifetime: 60_000, offer: { type: 'offer', sdp: 'v=0' } } };
    expect(validateEvent(event, { shape: 'sync' }).issues.map((i) => i.path)).toEqual(['content.version']);
  });

  it('accepts power levels written as integer strings, as rooms of versions 1 to 9 may hold them, and refuses other strings', () => {
    const event = (content: unknown): unknown => ({ ...envelope, type: 'm.room.power_levels', state_key: '', content });
    expect(validateEvent(event({ ban: '50', users: { '@alice:example.org': '100' }, events: { 'm.room.name': '-1' }, notifications: { room: '50' } }), { shape: 'sync' }).issues).toEqual([]);
    expect(validateEvent(event({ ban: 'fifty', users: { '@alice:example.org': '1e2' } }), { shape: 'sync' }).issues.map((i) => i.path))
      .toEqual(['content.ban', 'content.users["@alice:example.org"]']);
  });

  it('accepts a canonical alias that is null or empty, which the spec says means no canonical alias, and refuses a bad one', () => {
    const event = (content: unknown): unknown => ({ ...envelope, type: 'm.room.canonical_alias', state_key: '', content });
    for (const alias of [null, '']) expect(validateEvent(event({ alias, alt_aliases: [] }), { shape: 'sync' }).issues, String(alias)).toEqual([]);
    expect(validateEvent(event({ alias: 'lobby:example.org' }), { shape: 'sync' }).issues.map((i) => i.path)).toEqual(['content.alias']);
  });

  it('accepts a room name or topic that is absent or null, which the spec says unsets it, and refuses a number', () => {
    for (const [type, key] of [['m.room.name', 'name'], ['m.room.topic', 'topic']] as const) {
      const event = (content: unknown): unknown => ({ ...envelope, type, state_key: '', content });
      expect(validateEvent(event({}), { shape: 'sync' }).issues, type).toEqual([]);
      expect(validateEvent(event({ [key]: null }), { shape: 'sync' }).issues, type).toEqual([]);
      expect(validateEvent(event({ [key]: 5 }), { shape: 'sync' }).issues.map((i) => i.path), type).toEqual([`content.${key}`]);
    }
  });

  it('accepts the everyday events of a sync as Synapse sends them', () => {
    const events: [unknown, 'sync' | 'basic'][] = [
      [{ ...envelope, type: 'm.room.create', state_key: '', content: { room_version: '12', additional_creators: ['@bob:example.org'] } }, 'sync'],
      [{ ...envelope, type: 'm.room.power_levels', state_key: '', content: { users: { '@alice:example.org': 9_007_199_254_740_991 }, users_default: 0, events: { 'm.room.name': 50 } } }, 'sync'],
      [{ ...envelope, type: 'm.reaction', content: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$target', key: '👍' } } }, 'sync'],
      [{ ...envelope, type: 'm.room.message', content: { msgtype: 'm.text', body: '* new', 'm.new_content': { msgtype: 'm.text', body: 'new' }, 'm.relates_to': { rel_type: 'm.replace', event_id: '$orig' } } }, 'sync'],
      [{ ...envelope, type: 'm.room.encrypted', content: { algorithm: 'm.megolm.v1.aes-sha2', ciphertext: 'AwgAEn', session_id: 'sid' } }, 'sync'],
      [{ type: 'm.receipt', content: { '$ev:example.org': { 'm.read': { '@alice:example.org': { ts: 1, thread_id: 'main' } } } } }, 'basic'],
      [{ type: 'm.typing', content: { user_ids: ['@alice:example.org'] } }, 'basic'],
      [{ type: 'm.room_key_request', sender: '@bob:example.org', content: { action: 'request_cancellation', requesting_device_id: 'DEV', request_id: 'r1' } }, 'basic'],
      [{ type: 'm.presence', sender: '@alice:example.org', content: { presence: 'online', last_active_ago: 10, currently_active: true } }, 'basic'],
    ];
    for (const [event, shape] of events) expect(validateEvent(event, { shape }).issues, JSON.stringify(event)).toEqual([]);
  });
});
