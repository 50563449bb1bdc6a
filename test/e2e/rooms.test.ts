/**
 * Rooms against a real Synapse: membership, messages and transaction ids, state,
 * moderation, redaction, ephemeral events, aliases and relations.
 */
import { describe, expect, it } from 'vitest';
import { isEventOfType, isMatrixError } from '../../src/index.js';
import { caught, latestEvents, latestMessages, newUser, roomWith, synapse, type TimelineEvent } from './helpers.js';

describe('rooms: membership and messages', () => {
  it('creates a room, invites a second user who joins, and both are joined members', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const { room_id: roomId } = await alice.client.api.createRoom.post({ preset: 'private_chat', name: 'e2e room' });
    expect(roomId).toMatch(/^!/);

    await alice.client.api.rooms(roomId).invite.post({ user_id: bob.userId });
    const joined = await bob.client.api.rooms(roomId).join.post({});
    expect(joined.room_id).toBe(roomId);

    const { joined: members } = await alice.client.api.rooms(roomId).joined_members.get();
    expect(Object.keys(members ?? {}).sort()).toEqual([alice.userId, bob.userId].sort());
    expect((await bob.client.api.joined_rooms.get()).joined_rooms).toContain(roomId);
  });

  it('sends text with a generated and with an explicit transaction id and reads both back with messages', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const rooms = alice.client.api.rooms(roomId);

    const first = await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'generated txn' });
    const second = await rooms.send('m.room.message', `e2e-${Date.now()}`).put({ msgtype: 'm.text', body: 'explicit txn' });
    expect(first.event_id).toMatch(/^\$/);
    expect(second.event_id).not.toBe(first.event_id);

    const messages = await latestMessages(bob.client, roomId);
    expect(messages.map((event) => [event.event_id, event.sender, event.content['body']])).toEqual([
      [second.event_id, alice.userId, 'explicit txn'],
      [first.event_id, alice.userId, 'generated txn'],
    ]);
  });

  it('gives one event for the same transaction id sent twice', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const send = alice.client.api.rooms(roomId).send('m.room.message', 'same-txn-1');

    const a = await send.put({ msgtype: 'm.text', body: 'idempotent' });
    const b = await send.put({ msgtype: 'm.text', body: 'idempotent' });
    expect(b.event_id).toBe(a.event_id);

    const messages = await latestMessages(alice.client, roomId);
    expect(messages.filter((event) => event.content['body'] === 'idempotent')).toHaveLength(1);
  });

  it('gives a fresh transaction id to each send that leaves it out', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const send = alice.client.api.rooms(roomId).send('m.room.message');

    const a = await send.put({ msgtype: 'm.text', body: 'twice' });
    const b = await send.put({ msgtype: 'm.text', body: 'twice' });
    expect(b.event_id).not.toBe(a.event_id);
    expect((await latestMessages(alice.client, roomId)).filter((event) => event.content['body'] === 'twice')).toHaveLength(2);
  });
});

describe('rooms: state', () => {
  it('puts and gets the name, the topic and a custom state event with an empty state key', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const rooms = alice.client.api.rooms(roomId);

    const named = await rooms.state('m.room.name', '').put({ name: 'Renamed' });
    expect(named.event_id).toMatch(/^\$/);
    await rooms.state('m.room.topic', '').put({ topic: 'What we talk about' });
    await rooms.state('org.example.config', '').put({ colour: 'teal', level: 2 });

    expect(await rooms.state('m.room.name', '').get()).toEqual({ name: 'Renamed' });
    expect(await rooms.state('m.room.topic', '').get()).toMatchObject({ topic: 'What we talk about' });
    expect(await rooms.state('org.example.config', '').get()).toEqual({ colour: 'teal', level: 2 });

    const all = (await rooms.state.get()) as unknown as TimelineEvent[];
    const custom = all.find((event) => event.type === 'org.example.config');
    expect(custom).toMatchObject({ state_key: '', sender: alice.userId, content: { colour: 'teal', level: 2 } });
  });

  it('puts and gets a custom state event under a non-empty state key that needs encoding', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const rooms = alice.client.api.rooms(roomId);
    const stateKey = 'a/b c?d#e';

    await rooms.state('org.example.keyed', stateKey).put({ ok: true });
    expect(await rooms.state('org.example.keyed', stateKey).get()).toEqual({ ok: true });
    const all = (await rooms.state.get()) as unknown as TimelineEvent[];
    expect(all.find((event) => event.type === 'org.example.keyed')?.state_key).toBe(stateKey);
  });
});

describe('rooms: moderation and redaction', () => {
  it('kicks a member, who can no longer send into the room', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);

    await alice.client.api.rooms(roomId).kick.post({ user_id: bob.userId, reason: 'e2e kick' });
    expect(await alice.client.api.rooms(roomId).state('m.room.member', bob.userId).get()).toMatchObject({
      membership: 'leave',
      reason: 'e2e kick',
    });
    const error = await caught(() => bob.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'still here?' }));
    expect(isMatrixError(error) && error.errcode).toBe('M_FORBIDDEN');
  });

  it('bans a member, who cannot rejoin, then unbans them so they can be invited back', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const rooms = alice.client.api.rooms(roomId);

    await rooms.ban.post({ user_id: bob.userId, reason: 'e2e ban' });
    expect(await rooms.state('m.room.member', bob.userId).get()).toMatchObject({ membership: 'ban' });
    const error = await caught(() => rooms.invite.post({ user_id: bob.userId }));
    expect(isMatrixError(error) && error.status).toBe(403);

    await rooms.unban.post({ user_id: bob.userId });
    expect(await rooms.state('m.room.member', bob.userId).get()).toMatchObject({ membership: 'leave' });
    await rooms.invite.post({ user_id: bob.userId });
    await bob.client.api.rooms(roomId).join.post({});
    expect(await rooms.state('m.room.member', bob.userId).get()).toMatchObject({ membership: 'join' });
  });

  it('redacts with a generated transaction id and with an explicit one, and the same explicit id redacts once', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const rooms = alice.client.api.rooms(roomId);
    const { event_id: one } = await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'oops one' });
    const { event_id: two } = await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'oops two' });

    const generated = await rooms.redact(one).put({ reason: 'typo' });
    expect(generated.event_id).toMatch(/^\$/);

    const explicit = await rooms.redact(two, 'redact-txn-1').put({ reason: 'typo too' });
    const again = await rooms.redact(two, 'redact-txn-1').put({ reason: 'typo too' });
    expect(again.event_id).toBe(explicit.event_id);

    const events = await latestEvents(alice.client, roomId);
    for (const id of [one, two]) {
      const redacted = events.find((event) => event.event_id === id);
      expect(redacted?.content).toEqual({});
      expect(redacted?.unsigned?.['redacted_because']).toBeDefined();
    }
    expect(events.filter((event) => event.type === 'm.room.redaction')).toHaveLength(2);
  });
});

describe('rooms: typing, receipts, aliases and relations', () => {
  it('shows typing and a read receipt to the other member through sync', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const rooms = alice.client.api.rooms(roomId);
    const { event_id: eventId } = await bob.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'read me' });

    await rooms.typing(alice.userId).put({ typing: true, timeout: 30_000 });
    await rooms.receipt('m.read', eventId).post({});

    const sync = await bob.client.api.sync.get({ timeout: 0 });
    const ephemeral = (sync.rooms?.join?.[roomId]?.ephemeral?.events ?? []) as unknown as TimelineEvent[];
    const typing = ephemeral.find((event) => event.type === 'm.typing');
    expect(typing?.content).toEqual({ user_ids: [alice.userId] });
    const receipt = ephemeral.find((event) => event.type === 'm.receipt');
    expect(receipt?.content).toHaveProperty([eventId, 'm.read', alice.userId]);

    await rooms.typing(alice.userId).put({ typing: false });
  });

  it('puts, resolves and deletes a room alias', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const alias = `#e2e_${Date.now().toString(36)}:${synapse().serverName}`;
    const directory = alice.client.api.directory;

    await directory.room(alias).put({ room_id: roomId });
    const resolved = await directory.room(alias).get();
    expect(resolved).toMatchObject({ room_id: roomId, servers: [synapse().serverName] });
    expect((await alice.client.api.rooms(roomId).aliases.get()).aliases).toContain(alias);

    await directory.room(alias).delete();
    const error = await caught(() => directory.room(alias).get());
    expect(isMatrixError(error) && error.errcode).toBe('M_NOT_FOUND');
  });

  it('lists the events related to a message, by relation type and by event type', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice, [bob]);
    const rooms = alice.client.api.rooms(roomId);
    const { event_id: root } = await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'root' });

    const { event_id: reaction } = await bob.client.api.rooms(roomId).send('m.reaction').put({
      'm.relates_to': { rel_type: 'm.annotation', event_id: root, key: '👍' },
    });
    const { event_id: threaded } = await bob.client.api.rooms(roomId).send('m.room.message').put({
      msgtype: 'm.text',
      body: 'in the thread',
      'm.relates_to': { rel_type: 'm.thread', event_id: root, is_falling_back: true, 'm.in_reply_to': { event_id: root } },
    });

    const ids = async (page: Promise<{ chunk: unknown[] }>): Promise<string[]> =>
      ((await page).chunk as TimelineEvent[]).map((event) => event.event_id).sort();
    expect(await ids(rooms.relations(root).get())).toEqual([reaction, threaded].sort());
    expect(await ids(rooms.relations(root, 'm.annotation').get())).toEqual([reaction]);
    expect(await ids(rooms.relations(root, 'm.thread', 'm.room.message').get())).toEqual([threaded]);
    expect(await ids(rooms.relations(root, 'm.annotation', 'm.room.message').get())).toEqual([]);
    expect(await ids(rooms.relations(root).get({ limit: 1, dir: 'f' }))).toHaveLength(1);
  });
});

describe('rooms: typed chains and what a real server sends', () => {
  it('reads typed state as its content, and as the event with format: event', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const rooms = alice.client.api.rooms(roomId);
    await rooms.state('m.room.name', '').put({ name: 'Typed name' });

    const content = await rooms.state('m.room.name', '').get();
    expect(content.name).toBe('Typed name');
    const event = await rooms.state('m.room.name', '').get({ format: 'event' });
    expect([event.type, event.state_key, event.sender, event.room_id, event.content.name]).toEqual(['m.room.name', '', alice.userId, roomId, 'Typed name']);
  });

  it('joins and leaves without a body', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice);
    await alice.client.api.rooms(roomId).invite.post({ user_id: bob.userId });
    expect((await bob.client.api.join(roomId).post()).room_id).toBe(roomId);
    await bob.client.api.rooms(roomId).leave.post();
    expect((await bob.client.api.joined_rooms.get()).joined_rooms).not.toContain(roomId);
  });

  it('pages messages with a filter object and an undefined from, and narrows the events by type', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const rooms = alice.client.api.rooms(roomId);
    await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'kept' });
    await rooms.send('com.example.noise').put({ level: 3 });

    const from: string | undefined = undefined;
    const page = await rooms.messages.get({ dir: 'b', from, limit: 20, filter: { types: ['m.room.message'] } });
    expect(page.chunk.map((e) => e.type)).toEqual(['m.room.message']);
    const bodies = page.chunk.filter((e) => isEventOfType(e, 'm.room.message')).map((e) => e.content.body);
    expect(bodies).toEqual(['kept']);
    const all = await rooms.messages.get({ dir: 'b', limit: 20 });
    const custom = all.chunk.find((e) => e.type === 'com.example.noise');
    expect(custom?.content).toEqual({ level: 3 });
  });

  it('bundles the thread summary into unsigned m.relations of the root', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const rooms = alice.client.api.rooms(roomId);
    const { event_id: root } = await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'root' });
    await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'reply', 'm.relates_to': { rel_type: 'm.thread', event_id: root } });

    const event = await rooms.event(root).get();
    const thread = event.unsigned?.['m.relations']?.['m.thread'];
    expect(thread?.count).toBe(1);
    expect(thread?.current_user_participated).toBe(true);
  });

  it('puts and gets typed account data, global and per room', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const user = alice.client.api.user(alice.userId);
    await user.account_data('m.ignored_user_list').put({ ignored_users: { '@spam:localhost': {} } });
    expect(Object.keys((await user.account_data('m.ignored_user_list').get()).ignored_users)).toEqual(['@spam:localhost']);
    await user.rooms(roomId).account_data('m.tag').put({ tags: { 'm.favourite': { order: 0.5 } } });
    expect((await user.rooms(roomId).account_data('m.tag').get()).tags?.['m.favourite']?.order).toBe(0.5);
  });

  it('takes the null avatar_url Synapse sends in joined_members, and its empty TURN answer', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);
    const { joined } = await alice.client.api.rooms(roomId).joined_members.get();
    const me = joined?.[alice.userId];
    // The spec leaves an unset avatar out; Synapse sends null, which the types allow.
    expect(me?.avatar_url).toBeNull();
    expect(await alice.client.api.voip.turnServer.get()).toEqual({});
  });
});
