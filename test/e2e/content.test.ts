/**
 * The content builders and the conveniences against a real Synapse: what they send
 * is read back from /messages, /event and /relations as the spec shapes it, and the
 * server treats it as the relation it is (threads listed, edits and reactions
 * bundled, a redacted reaction gone). Also `client.request` on real endpoints.
 */
import { describe, expect, it } from 'vitest';
import {
  edit,
  emote,
  getState,
  html,
  inThread,
  isMatrixError,
  joinRoom,
  leaveRoom,
  matrixPath,
  notice,
  react,
  redact,
  reply,
  replyTo,
  sendHtml,
  sendMessage,
  sendNotice,
  sendText,
  setAvatarUrl,
  setDisplayName,
  text,
  withMentions,
  type MatrixClient,
} from '../../src/index.js';
import { caught, latestEvents, makePng, newUser, roomWith, synapse, type TimelineEvent } from './helpers.js';

/** One event as the server has it now. */
async function fetchEvent(client: MatrixClient, roomId: string, eventId: string): Promise<TimelineEvent> {
  return (await client.api.rooms(roomId).event(eventId).get()) as unknown as TimelineEvent;
}

/** The ids of the events related to `eventId` (by relation type and event type, when given). */
async function relatedIds(client: MatrixClient, roomId: string, eventId: string, relType: string, eventType?: string): Promise<string[]> {
  const rooms = client.api.rooms(roomId);
  const page = eventType === undefined ? await rooms.relations(eventId, relType).get() : await rooms.relations(eventId, relType, eventType).get();
  return (page.chunk as unknown as TimelineEvent[]).map((event) => event.event_id).sort();
}

describe('content builders and conveniences on Synapse', () => {
  it('sends text, notice, emote and HTML messages that read back with their msgtype, formats and mentions', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const ids = [
      await sendText(alice.client, roomId, 'plain text'),
      await sendNotice(alice.client, roomId, 'a notice'),
      await sendMessage(alice.client, roomId, emote('waves')),
      await sendHtml(alice.client, roomId, '<p>Hello <a href="https://matrix.to/#/' + bob.userId + '">Bob</a></p>', { mentions: { user_ids: [bob.userId] } }),
      await sendMessage(alice.client, roomId, withMentions(text('everyone!'), { room: true })),
    ];
    const events = new Map((await latestEvents(bob.client, roomId)).map((event) => [event.event_id, event]));
    expect(ids.map((id) => events.get(id)?.content)).toEqual([
      { msgtype: 'm.text', body: 'plain text', 'm.mentions': {} },
      { msgtype: 'm.notice', body: 'a notice', 'm.mentions': {} },
      { msgtype: 'm.emote', body: 'waves', 'm.mentions': {} },
      {
        msgtype: 'm.text',
        body: 'Hello Bob',
        'm.mentions': { user_ids: [bob.userId] },
        format: 'org.matrix.custom.html',
        formatted_body: `<p>Hello <a href="https://matrix.to/#/${bob.userId}">Bob</a></p>`,
      },
      { msgtype: 'm.text', body: 'everyone!', 'm.mentions': { room: true } },
    ]);
  });

  it('a reply reads back from /messages with m.in_reply_to and the replied-to sender mentioned, and no fallback', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const originalId = await sendText(alice.client, roomId, 'question?');
    const original = await fetchEvent(bob.client, roomId, originalId);
    const replyId = await reply(bob.client, roomId, original, html('<b>answer</b>'));

    const [newest] = await latestEvents(alice.client, roomId, 1);
    expect(newest?.event_id).toBe(replyId);
    expect(newest?.sender).toBe(bob.userId);
    expect(newest?.content).toEqual({
      msgtype: 'm.text',
      body: 'answer',
      format: 'org.matrix.custom.html',
      formatted_body: '<b>answer</b>',
      'm.mentions': { user_ids: [alice.userId] },
      'm.relates_to': { 'm.in_reply_to': { event_id: originalId } },
    });
  });

  it('a thread: messages in it are listed by /relations and /threads, and a reply to one stays in it', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const rootId = await sendText(alice.client, roomId, 'thread root');
    const root = await fetchEvent(bob.client, roomId, rootId);
    const firstId = await sendMessage(bob.client, roomId, inThread(root, text('first in thread')));
    const first = await fetchEvent(alice.client, roomId, firstId);
    // A reply to an event in the thread: replyTo keeps it in the thread.
    const answerId = await reply(alice.client, roomId, first, 'answer in thread');
    const latestId = await sendMessage(bob.client, roomId, inThread(rootId, notice('more'), { latestEventId: answerId }));

    expect(first.content['m.relates_to']).toEqual({ rel_type: 'm.thread', event_id: rootId, is_falling_back: true, 'm.in_reply_to': { event_id: rootId } });
    const answer = await fetchEvent(bob.client, roomId, answerId);
    expect(answer.content['m.relates_to']).toEqual({ rel_type: 'm.thread', event_id: rootId, is_falling_back: false, 'm.in_reply_to': { event_id: firstId } });
    expect(answer.content['m.mentions']).toEqual({ user_ids: [bob.userId] });

    expect(await relatedIds(alice.client, roomId, rootId, 'm.thread')).toEqual([firstId, answerId, latestId].sort());
    const threads = await alice.client.api.rooms(roomId).threads.get();
    expect((threads.chunk as unknown as TimelineEvent[]).map((event) => event.event_id)).toEqual([rootId]);
    // The root, as /messages returns it, carries the server's thread summary.
    const rootNow = (await latestEvents(alice.client, roomId)).find((event) => event.event_id === rootId);
    const summary = (rootNow?.unsigned?.['m.relations'] as Record<string, { count?: number; latest_event?: { event_id?: string } }> | undefined)?.['m.thread'];
    expect(summary?.count).toBe(3);
    expect(summary?.latest_event?.event_id).toBe(latestId);
  });

  it('an edit is listed by /relations as m.replace, bundled on the original, and an edit of the edit targets the original', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const originalId = await sendText(alice.client, roomId, 'Helo');
    const editId = await edit(alice.client, roomId, originalId, 'Hello');
    const editEvent = await fetchEvent(bob.client, roomId, editId);
    expect(editEvent.content).toEqual({
      msgtype: 'm.text',
      body: '* Hello',
      'm.mentions': {},
      'm.new_content': { msgtype: 'm.text', body: 'Hello', 'm.mentions': {} },
      'm.relates_to': { rel_type: 'm.replace', event_id: originalId },
    });
    // Editing the edit event: the builder follows it to the original, and mentions Bob anew.
    const secondId = await edit(alice.client, roomId, editEvent, text('Hello Bob', { mentions: { user_ids: [bob.userId] } }));
    const second = await fetchEvent(bob.client, roomId, secondId);
    expect(second.content['m.relates_to']).toEqual({ rel_type: 'm.replace', event_id: originalId });
    expect(second.content['m.mentions']).toEqual({ user_ids: [bob.userId] });

    expect(await relatedIds(bob.client, roomId, originalId, 'm.replace')).toEqual([editId, secondId].sort());
    const original = (await latestEvents(bob.client, roomId)).find((event) => event.event_id === originalId);
    const replaced = (original?.unsigned?.['m.relations'] as Record<string, { event_id?: string }> | undefined)?.['m.replace'];
    expect(replaced?.event_id).toBe(secondId);
  });

  it('a reaction is listed by /relations as m.annotation, and gone from there once redacted', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const originalId = await sendText(alice.client, roomId, 'react to me');
    const original = await fetchEvent(bob.client, roomId, originalId);
    const reactionId = await react(bob.client, roomId, original, '👍');

    const reactionEvent = await fetchEvent(alice.client, roomId, reactionId);
    expect(reactionEvent.type).toBe('m.reaction');
    expect(reactionEvent.content).toEqual({ 'm.relates_to': { rel_type: 'm.annotation', event_id: originalId, key: '👍' } });
    expect(await relatedIds(alice.client, roomId, originalId, 'm.annotation', 'm.reaction')).toEqual([reactionId]);

    const redactionId = await redact(bob.client, roomId, reactionId, { reason: 'changed my mind' });
    expect(redactionId).toMatch(/^\$/);
    expect(await relatedIds(alice.client, roomId, originalId, 'm.annotation')).toEqual([]);
    const redacted = (await latestEvents(alice.client, roomId)).find((event) => event.event_id === reactionId);
    expect(redacted?.content).toEqual({});
    expect((redacted?.unsigned?.['redacted_because'] as { content?: unknown } | undefined)?.content).toEqual({ reason: 'changed my mind', redacts: reactionId });
  });

  it('joinRoom by alias through via, getState, leaveRoom, and the profile setters', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const hs = synapse();
    const localpart = `content-${Date.now()}`;
    const { room_id: roomId } = await alice.client.api.createRoom.post({ preset: 'public_chat', name: 'Public', room_alias_name: localpart });
    const joined = await joinRoom(bob.client, `#${localpart}:${hs.serverName}`, { via: [hs.serverName], reason: 'hello' });
    expect(joined).toBe(roomId);
    expect(await getState(bob.client, roomId, 'm.room.name')).toEqual({ name: 'Public' });
    const member = (await getState(alice.client, roomId, 'm.room.member', bob.userId)) as { membership?: string; reason?: string };
    expect(member).toMatchObject({ membership: 'join', reason: 'hello' });

    await leaveRoom(bob.client, roomId, { reason: 'bye' });
    expect(await getState(alice.client, roomId, 'm.room.member', bob.userId)).toMatchObject({ membership: 'leave', reason: 'bye' });
    const missing = await caught(() => getState(alice.client, roomId, 'm.room.topic'));
    expect(isMatrixError(missing) && missing.errcode).toBe('M_NOT_FOUND');

    await setDisplayName(bob.client, 'Bob the Builder');
    const { content_uri } = await bob.client.media.upload.post(makePng(4, 4), { contentType: 'image/png' });
    await setAvatarUrl(bob.client, content_uri);
    expect(await bob.client.api.profile(bob.userId).get()).toMatchObject({ displayname: 'Bob the Builder', avatar_url: content_uri });
  });

  it('client.request reaches endpoints by encoded path, with the same errors as the chains', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const eventId = await sendText(alice.client, roomId, 'raw');
    const whoami = await alice.client.request<{ user_id: string }>('GET', matrixPath`/_matrix/client/v3/account/whoami`);
    expect(whoami.user_id).toBe(alice.userId);
    const event = await alice.client.request<TimelineEvent>('GET', matrixPath`/_matrix/client/v3/rooms/${roomId}/event/${eventId}`);
    expect(event.content).toEqual({ msgtype: 'm.text', body: 'raw', 'm.mentions': {} });
    const sent = await alice.client.request<{ event_id: string }>('PUT', ['_matrix', 'client', 'v3', 'rooms', roomId, 'send', 'm.room.message', `raw-${Date.now()}`], {
      body: replyTo(eventId, text('raw reply')),
    });
    expect((await fetchEvent(alice.client, roomId, sent.event_id)).content['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: eventId } });
    const error = await caught(() => alice.client.request('GET', matrixPath`/_matrix/client/unstable/org.example.nothing/${roomId}`));
    expect(isMatrixError(error) && [error.status, error.errcode]).toEqual([404, 'M_UNRECOGNIZED']);
  });
});
