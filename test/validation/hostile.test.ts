/**
 * Events built to hurt a checker: keys named like prototype members, nesting far
 * deeper than any event, huge arrays. The checks never write to a prototype,
 * never lean on an inherited method, and stop at a bounded depth.
 */
import { describe, expect, it } from 'vitest';
import { eventValidation, validateEvent } from '../../src/validation/index.js';

const envelope = '"event_id":"$e:example.org","sender":"@a:example.org","origin_server_ts":1';

describe('hostile events under the validation', () => {
  it('reads __proto__, constructor and hasOwnProperty keys as plain data, and no prototype changes', () => {
    const event = JSON.parse(
      `{${envelope},"type":"m.room.message","hasOwnProperty":1,"content":{"__proto__":{"msgtype":"m.text","body":"x"},"constructor":{"prototype":{"polluted":1}},"hasOwnProperty":"x","body":"x"}}`,
    ) as unknown;
    // msgtype sits under an own key named __proto__, so the content really lacks it.
    expect(validateEvent(event, { shape: 'sync' }).issues).toEqual([{ path: 'content.msgtype', expected: 'present', found: 'missing' }]);
    const odd = JSON.parse(`{${envelope},"type":"m.room.member","state_key":"@a:example.org","content":{"membership":"constructor"}}`) as unknown;
    expect(validateEvent(odd, { shape: 'sync' }).issues.map((i) => i.path)).toEqual(['content.membership']);
    expect(({} as Record<string, unknown>).msgtype).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('checks an event nested 100,000 levels deep without overflowing the stack', () => {
    let deep: unknown = { msgtype: 'm.text', body: 'x' };
    for (let i = 0; i < 100_000; i++) deep = { 'm.new_content': deep, 'm.relates_to': { rel_type: 'm.replace', event_id: '$e' } };
    let chain: Record<string, unknown> = { type: 'm.room.redaction' };
    for (let i = 0; i < 100_000; i++) chain = { type: 'm.room.message', event_id: '$e', sender: '@a:b', origin_server_ts: 1, content: {}, unsigned: { redacted_because: chain } };
    const validate = eventValidation({ incoming: 'drop' });
    const warn = (): void => {};
    expect(() => validateEvent({ type: 'm.room.message', event_id: '$e', sender: '@a:b', origin_server_ts: 1, content: { msgtype: 'm.text', body: 'x', 'm.new_content': deep } }, { shape: 'sync' })).not.toThrow();
    expect(() => validate.checkIncoming(chain, 'sync', 'a test', warn)).not.toThrow();
  });

  it('checks a 200,000-item array item by item and stops collecting at 20 issues', () => {
    const good = validateEvent({ type: 'm.typing', content: { user_ids: Array.from({ length: 200_000 }, (_, i) => `@u${i}:example.org`) } }, { shape: 'basic' });
    expect(good.valid).toBe(true);
    const bad = validateEvent({ type: 'm.typing', content: { user_ids: Array.from({ length: 200_000 }, () => 5) } }, { shape: 'basic' });
    expect(bad.issues).toHaveLength(20);
  });
});
