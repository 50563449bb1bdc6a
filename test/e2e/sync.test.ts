/**
 * The sync loop against a real Synapse: the echo bot example answers a real
 * user (and resumes after a restart from its file store), and the room state
 * tracker follows name, topic and membership changes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient, FileStore, type MatrixClient } from '../../src/node.js';
import { runEchoBot } from '../../examples/echo-bot.js';
import { newUser, synapse } from './helpers.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
});

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Collects the `m.room.message` events a client's sync loop sees. */
function recordMessages(client: MatrixClient): { sender: string; msgtype: string; body: string; roomId: string }[] {
  const seen: { sender: string; msgtype: string; body: string; roomId: string }[] = [];
  client.on('m.room.message', (event, { roomId }) => {
    seen.push({ sender: event.sender, msgtype: event.content.msgtype, body: String(event.content.body), roomId });
  });
  return seen;
}

describe('sync against Synapse', () => {
  it('runs the echo bot: joins on invite, echoes, quits on !quit, resumes from its file store', async () => {
    const [alice, botUser] = await Promise.all([newUser(), newUser()]);
    const dir = await mkdtemp(join(tmpdir(), 'mf-e2e-echo-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const makeBot = () => createClient({
      baseUrl: synapse().baseUrl,
      accessToken: botUser.accessToken,
      sync: { store: new FileStore(dir), timeout: 2_000 },
    });

    const seen = recordMessages(alice.client);
    await alice.client.sync.start();
    cleanup.push(() => alice.client.sync.stop());

    const bot = makeBot();
    const botReady = new Promise<void>((resolve) => bot.sync.once('ready', () => resolve()));
    const running = runEchoBot(bot, { userId: botUser.userId });
    cleanup.push(() => bot.sync.stop());
    await botReady;

    const { room_id: roomId } = await alice.client.api.createRoom.post({ preset: 'private_chat', name: 'echo' });
    await alice.client.api.rooms(roomId).invite.post({ user_id: botUser.userId });
    await waitFor('the bot to join', async () => {
      const { joined } = await alice.client.api.rooms(roomId).joined_members.get();
      return botUser.userId in (joined ?? {});
    });

    await alice.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'ping' });
    await waitFor('the echo', () => seen.some((m) => m.sender === botUser.userId && m.body === 'ping'));
    expect(seen.find((m) => m.sender === botUser.userId)).toEqual({ sender: botUser.userId, msgtype: 'm.notice', body: 'ping', roomId });

    await alice.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: '!quit' });
    await running;
    expect(bot.sync.status).toBe('stopped');
    await waitFor('the goodbye', () => seen.some((m) => m.sender === botUser.userId && m.body === 'Bye!'));

    // While the bot is down, a message arrives; the restarted bot picks up from its stored position.
    await alice.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'while you were away' });
    const again = makeBot();
    const runningAgain = runEchoBot(again, { userId: botUser.userId });
    cleanup.push(() => again.sync.stop());
    await waitFor('the late echo', () => seen.some((m) => m.sender === botUser.userId && m.body === 'while you were away'));
    await again.sync.stop();
    await runningAgain;
    // Nothing was echoed twice.
    const echoes = seen.filter((m) => m.sender === botUser.userId).map((m) => m.body);
    expect(echoes).toEqual(['ping', 'Bye!', 'while you were away']);
  });

  it('tracks room name, topic and membership changes, and forgets a room on leave', async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const sync = alice.client.sync;
    const leaves: string[] = [];
    alice.client.on('leave', ({ roomId }) => void leaves.push(roomId));
    await sync.start();
    cleanup.push(() => sync.stop());

    const { room_id: roomId } = await alice.client.api.createRoom.post({ preset: 'public_chat', name: 'First name' });
    await waitFor('the initial name', () => sync.state.getState(roomId, 'm.room.name')?.content.name === 'First name');
    expect(sync.state.getState(roomId, 'm.room.member', alice.userId)?.content.membership).toBe('join');
    expect(sync.state.getState(roomId, 'm.room.create')?.sender).toBe(alice.userId);

    const rooms = alice.client.api.rooms(roomId);
    await rooms.state('m.room.name', '').put({ name: 'Second name' });
    await rooms.state('m.room.topic', '').put({ topic: 'A topic' });
    await waitFor('name and topic', () =>
      sync.state.getState(roomId, 'm.room.name')?.content.name === 'Second name'
      && sync.state.getState(roomId, 'm.room.topic')?.content.topic === 'A topic');

    await bob.client.api.join(roomId).post({});
    await waitFor('bob joined', () => sync.state.getState(roomId, 'm.room.member', bob.userId)?.content.membership === 'join');
    expect(sync.state.getAllStateForType(roomId, 'm.room.member').map((e) => e.state_key).sort()).toEqual([alice.userId, bob.userId].sort());

    await bob.client.api.rooms(roomId).leave.post({});
    await waitFor('bob left', () => sync.state.getState(roomId, 'm.room.member', bob.userId)?.content.membership === 'leave');

    await rooms.leave.post({});
    await waitFor('the room forgotten', () => !sync.state.hasRoom(roomId));
    expect(leaves).toContain(roomId);
  });
});
