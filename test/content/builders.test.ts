/**
 * The content builders make the shapes the spec defines for each message and relation.
 */
import { describe, expect, it } from 'vitest';
import { emote, html, inThread, notice, reaction, replacement, replyTo, text, withMentions } from '../../src/index.js';

const alice = '@alice:example.org';
const bob = '@bob:example.org';
const message = (eventId: string, sender: string, content: Record<string, unknown> = { msgtype: 'm.text', body: 'original' }) => ({
  event_id: eventId,
  sender,
  content,
});

describe('the message builders', () => {
  it('text, notice and emote carry their msgtype, the body, and an empty m.mentions', () => {
    expect(text('Hello')).toEqual({ msgtype: 'm.text', body: 'Hello', 'm.mentions': {} });
    expect(notice('Build passed')).toEqual({ msgtype: 'm.notice', body: 'Build passed', 'm.mentions': {} });
    expect(emote('waves')).toEqual({ msgtype: 'm.emote', body: 'waves', 'm.mentions': {} });
  });

  it('mentions given as an option go in m.mentions, each user once', () => {
    expect(text('hi', { mentions: { user_ids: [alice, alice, bob], room: true } })).toEqual({
      msgtype: 'm.text',
      body: 'hi',
      'm.mentions': { user_ids: [alice, bob], room: true },
    });
  });

  it('refuses a mention that is not a user id', () => {
    expect(() => text('hi', { mentions: { user_ids: ['alice'] } })).toThrow(/starts with '@'/);
  });

  it('html sends the HTML as formatted_body in the Matrix HTML format, with a derived plain body', () => {
    expect(html('<p>Hello <b>world</b></p>')).toEqual({
      msgtype: 'm.text',
      body: 'Hello world',
      'm.mentions': {},
      format: 'org.matrix.custom.html',
      formatted_body: '<p>Hello <b>world</b></p>',
    });
  });

  it('html takes a plain body of the caller and another msgtype', () => {
    expect(html('<b>Deployed</b>', { plain: '*Deployed*', msgtype: 'm.notice' })).toEqual({
      msgtype: 'm.notice',
      body: '*Deployed*',
      'm.mentions': {},
      format: 'org.matrix.custom.html',
      formatted_body: '<b>Deployed</b>',
    });
    expect(html('<i>waves</i>', { msgtype: 'm.emote' }).msgtype).toBe('m.emote');
  });

  it('withMentions adds to the mentions a content has, without changing it', () => {
    const base = text('hi', { mentions: { user_ids: [alice] } });
    const more = withMentions(base, { user_ids: [bob, alice], room: true });
    expect(more['m.mentions']).toEqual({ user_ids: [alice, bob], room: true });
    expect(base['m.mentions']).toEqual({ user_ids: [alice] });
  });
});

describe('replyTo', () => {
  it('relates the reply to the event with m.in_reply_to and mentions its sender, with no fallback in the body', () => {
    expect(replyTo(message('$original', alice), text('Thanks'))).toEqual({
      msgtype: 'm.text',
      body: 'Thanks',
      'm.mentions': { user_ids: [alice] },
      'm.relates_to': { 'm.in_reply_to': { event_id: '$original' } },
    });
  });

  it('keeps the HTML as given: no <mx-reply> quote is added', () => {
    const reply = replyTo(message('$original', alice), html('<b>yes</b>'));
    expect(reply.formatted_body).toBe('<b>yes</b>');
    expect(reply.body).toBe('yes');
  });

  it('by event id alone: the relation only, nobody mentioned', () => {
    expect(replyTo('$original', notice('ok'))).toEqual({
      msgtype: 'm.notice',
      body: 'ok',
      'm.mentions': {},
      'm.relates_to': { 'm.in_reply_to': { event_id: '$original' } },
    });
  });

  it('a reply to an event in a thread stays in the thread, as a real reply (not falling back)', () => {
    const threaded = message('$in-thread', bob, { msgtype: 'm.text', body: 'x', 'm.relates_to': { rel_type: 'm.thread', event_id: '$root', is_falling_back: true, 'm.in_reply_to': { event_id: '$root' } } });
    expect(replyTo(threaded, text('answer'))['m.relates_to']).toEqual({
      rel_type: 'm.thread',
      event_id: '$root',
      is_falling_back: false,
      'm.in_reply_to': { event_id: '$in-thread' },
    });
  });

  it('keeps the mentions the content already has', () => {
    expect(replyTo(message('$o', alice), text('hi both', { mentions: { user_ids: [bob] } }))['m.mentions']).toEqual({ user_ids: [bob, alice] });
  });

  it('refuses an event id that is not one, and a content that already has a relation', () => {
    expect(() => replyTo('original', text('x'))).toThrow(/starts with '\$'/);
    expect(() => replyTo('$a', replyTo('$b', text('x')))).toThrow(/already has an m\.relates_to/);
  });
});

describe('inThread', () => {
  it('puts a message in the thread of the root, falling back to a reply to the root', () => {
    expect(inThread(message('$root', alice), text('in thread'))).toEqual({
      msgtype: 'm.text',
      body: 'in thread',
      'm.mentions': {},
      'm.relates_to': { rel_type: 'm.thread', event_id: '$root', is_falling_back: true, 'm.in_reply_to': { event_id: '$root' } },
    });
  });

  it('falls back to a reply to the latest event of the thread when given', () => {
    expect(inThread('$root', text('x'), { latestEventId: '$latest' })['m.relates_to']).toEqual({
      rel_type: 'm.thread',
      event_id: '$root',
      is_falling_back: true,
      'm.in_reply_to': { event_id: '$latest' },
    });
  });

  it('with replyTo, is a real reply within the thread (not falling back) and mentions its sender', () => {
    const content = inThread('$root', text('you said'), { replyTo: message('$said', bob) });
    expect(content['m.relates_to']).toEqual({ rel_type: 'm.thread', event_id: '$root', is_falling_back: false, 'm.in_reply_to': { event_id: '$said' } });
    expect(content['m.mentions']).toEqual({ user_ids: [bob] });
  });

  it('given an event already in a thread, joins that thread, falling back to a reply to that event', () => {
    const threaded = message('$in-thread', bob, { msgtype: 'm.text', body: 'x', 'm.relates_to': { rel_type: 'm.thread', event_id: '$root', is_falling_back: true, 'm.in_reply_to': { event_id: '$root' } } });
    expect(inThread(threaded, text('more'))['m.relates_to']).toEqual({
      rel_type: 'm.thread',
      event_id: '$root',
      is_falling_back: true,
      'm.in_reply_to': { event_id: '$in-thread' },
    });
  });

  it('refuses a root that has another relation (an edit, a reaction): it cannot be a thread root', () => {
    const edit = message('$edit', alice, { msgtype: 'm.text', body: '* x', 'm.relates_to': { rel_type: 'm.replace', event_id: '$o' } });
    expect(() => inThread(edit, text('x'))).toThrow(/m\.replace relation.*cannot be a thread root/);
  });
});

describe('replacement', () => {
  it('puts the new content in m.new_content, the * fallback at the top, and the m.replace relation', () => {
    expect(replacement('$original', text('Hello'))).toEqual({
      msgtype: 'm.text',
      body: '* Hello',
      'm.mentions': {},
      'm.new_content': { msgtype: 'm.text', body: 'Hello', 'm.mentions': {} },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$original' },
    });
  });

  it('prefixes the HTML fallback too, and keeps the new HTML as it is', () => {
    const edit = replacement('$original', html('<b>fixed</b>'));
    expect(edit.formatted_body).toBe('* <b>fixed</b>');
    expect(edit.body).toBe('* fixed');
    expect(edit['m.new_content']).toMatchObject({ body: 'fixed', formatted_body: '<b>fixed</b>', format: 'org.matrix.custom.html' });
  });

  it('drops a relation of the new content: an edit keeps the reply or thread of the original', () => {
    const edit = replacement('$original', replyTo(message('$other', bob), text('x')));
    expect(edit['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: '$original' });
    expect(edit['m.new_content']).not.toHaveProperty('m.relates_to');
  });

  it('mentions at the top only the users the original did not, m.new_content all of them', () => {
    const original = message('$original', alice, { msgtype: 'm.text', body: 'hi Bob', 'm.mentions': { user_ids: [bob] } });
    const edit = replacement(original, text('hi Bob and Carol', { mentions: { user_ids: [bob, '@carol:example.org'], room: true } }));
    expect(edit['m.mentions']).toEqual({ user_ids: ['@carol:example.org'], room: true });
    expect(edit['m.new_content']['m.mentions']).toEqual({ user_ids: [bob, '@carol:example.org'], room: true });
  });

  it('an edit of an edit replaces the original event', () => {
    const firstEdit = message('$edit1', alice, {
      msgtype: 'm.text',
      body: '* v2',
      'm.new_content': { msgtype: 'm.text', body: 'v2', 'm.mentions': { user_ids: [bob] } },
      'm.relates_to': { rel_type: 'm.replace', event_id: '$original' },
    });
    const edit = replacement(firstEdit, text('v3', { mentions: { user_ids: [bob] } }));
    expect(edit['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: '$original' });
    expect(edit['m.mentions']).toEqual({});
  });

  it('refuses a state event, which cannot be replaced', () => {
    expect(() => replacement({ event_id: '$state', state_key: '', content: {} }, text('x'))).toThrow(/state event/);
  });
});

describe('reaction', () => {
  it('annotates the event with the key', () => {
    expect(reaction(message('$original', alice), '👍')).toEqual({ 'm.relates_to': { rel_type: 'm.annotation', event_id: '$original', key: '👍' } });
    expect(reaction('$original', '❤️')['m.relates_to'].key).toBe('❤️');
  });

  it('refuses an empty key', () => {
    expect(() => reaction('$original', '')).toThrow(/non-empty/);
  });
});

describe('the builders are pure', () => {
  it('never change the content they are given', () => {
    const content = text('hi', { mentions: { user_ids: [alice] } });
    const copy = structuredClone(content);
    replyTo(message('$o', bob), content);
    inThread('$root', content);
    replacement('$o', content);
    withMentions(content, { room: true });
    expect(content).toEqual(copy);
  });
});
