/**
 * The appservice receiver against a real Synapse that pushes to it: the file starts a homeserver
 * of its own whose registration points at a receiver on 127.0.0.1 (a port chosen before the
 * homeserver starts), with ephemeral data and the unstable transaction extensions on.
 *
 * The crash tests run the receiver in a child process (test/e2e/fixtures/receiver-child.ts) that
 * appends every handled event id to a file; they compare that file with the event ids the
 * sender got back. A child's output is waited for as it arrives (each chunk checks the waits, and
 * the child's exit fails them); the other waits poll a condition against a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createAppservice,
  createClient,
  isEventOfType,
  listenAppservice,
  MemoryAppserviceStore,
  type Appservice,
  type AppserviceRegistration,
  type MatrixClient,
} from '../../src/node.js';
import { runBridge } from '../../examples/bridge.js';
import { freePort, REPO_ROOT, startSynapse, type SynapseHandle } from '../harness/synapse.js';
import type { ReceiverChildConfig } from './fixtures/receiver-child.js';

let hs: SynapseHandle;
let port: number;

beforeAll(async () => {
  port = await freePort();
  hs = await startSynapse({ appserviceUrl: `http://127.0.0.1:${port}`, appserviceExperimental: true });
});

afterAll(async () => {
  await hs?.stop();
});

/** Everything a test started, undone after it whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function registration(): AppserviceRegistration {
  return hs.appserviceRegistration as unknown as AppserviceRegistration;
}

/** Polls `check` until it gives a value, failing after `ms`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh real user and a client logged in as them. */
async function realUser(): Promise<{ userId: string; client: MatrixClient }> {
  const user = await hs.registerUser();
  return { userId: user.userId, client: createClient({ baseUrl: hs.baseUrl, accessToken: user.accessToken }) };
}

/** A private room of `owner` with the appservice's bot in it (joined with the plain as_token client). */
async function roomWithBot(owner: MatrixClient): Promise<string> {
  const { room_id: roomId } = await owner.api.createRoom.post({ preset: 'private_chat', invite: [hs.senderUserId] });
  await createClient({ baseUrl: hs.baseUrl, asToken: hs.asToken }).api.join(roomId).post({});
  return roomId;
}

async function say(client: MatrixClient, roomId: string, body: string): Promise<string> {
  const { event_id: eventId } = await client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body });
  return eventId;
}

/** A receiver in this process, on the registered port, stopped after the test. */
async function receiverHere(setup: (appservice: Appservice) => void): Promise<Appservice> {
  const appservice = createAppservice({
    registration: registration(),
    homeserverUrl: hs.baseUrl,
    serverName: hs.serverName,
    store: new MemoryAppserviceStore(),
  });
  setup(appservice);
  const server = await listenAppservice(appservice, { host: '127.0.0.1', port });
  cleanups.push(() => server.close());
  await appservice.start();
  cleanups.push(() => appservice.stop({ deadlineMs: 5_000 }));
  return appservice;
}

/** A receiver in a child process (see fixtures/receiver-child.ts). */
interface ReceiverChild {
  readonly proc: ChildProcess;
  /** Resolves when the process has exited, with its code or signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  /**
   * Resolves with the output once it matches `pattern`, checked on each chunk the child
   * writes (no polling); rejects when the child exits first.
   */
  waitForOutput(pattern: RegExp, what: string): Promise<string>;
}

async function receiverChild(config: Omit<ReceiverChildConfig, 'registration' | 'homeserverUrl' | 'serverName' | 'port'>): Promise<ReceiverChild> {
  const full: ReceiverChildConfig = { ...config, registration: registration(), homeserverUrl: hs.baseUrl, serverName: hs.serverName, port };
  const proc = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/e2e/fixtures/receiver-child.ts'), JSON.stringify(full)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // 'close' comes after 'exit' and after both output streams ended: all the output is in then.
  let closed = false;
  const waiters = new Set<() => void>();
  const changed = (): void => {
    for (const check of [...waiters]) check();
  };
  const append = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    changed();
  };
  proc.stdout.on('data', append);
  proc.stderr.on('data', append);
  proc.once('close', () => {
    closed = true;
    changed();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  cleanups.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  });
  const waitForOutput = (pattern: RegExp, what: string): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const check = (): void => {
        if (pattern.test(output)) {
          waiters.delete(check);
          resolve(output);
        } else if (closed) {
          waiters.delete(check);
          reject(new Error(`the receiver child exited before ${what}:\n${output}`));
        }
      };
      waiters.add(check);
      check();
    });
  await waitForOutput(/^ready$/m, 'it was ready');
  return { proc, exited, output: () => output, waitForOutput };
}

/** The event ids the child's handler appended, in order. */
function handledIds(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/** How often each id occurs. */
function counts(ids: readonly string[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
  return seen;
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mf-appservice-e2e-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('the appservice receiver, pushed to by Synapse', () => {
  it('hands a real user’s message in a room the bot is in to the m.room.message handler, typed', async () => {
    const seen: { eventId: string; sender: string; roomId: string; msgtype: string; body: string }[] = [];
    await receiverHere((appservice) => {
      appservice.on('m.room.message', (event, { roomId }) => {
        if (event.content.msgtype === 'm.text') {
          seen.push({ eventId: event.event_id, sender: event.sender, roomId, msgtype: event.content.msgtype, body: event.content.body });
        }
      });
    });
    const alice = await realUser();
    const roomId = await roomWithBot(alice.client);

    const eventId = await say(alice.client, roomId, 'Hello, appservice');

    const got = await waitFor('the message at the handler', () => seen.find((e) => e.eventId === eventId));
    expect(got).toEqual({ eventId, sender: alice.userId, roomId, msgtype: 'm.text', body: 'Hello, appservice' });
  });

  it('delivers typing notifications and read receipts as ephemeral data to the typing and receipt handlers', async () => {
    const typing: { roomId: string; userIds: string[] }[] = [];
    const receipts: { roomId: string; content: Record<string, unknown> }[] = [];
    const messages: string[] = [];
    await receiverHere((appservice) => {
      appservice.on('typing', ({ roomId, userIds }) => void typing.push({ roomId, userIds: [...userIds] }));
      appservice.on('receipt', ({ roomId, content }) => void receipts.push({ roomId, content: content as Record<string, unknown> }));
      appservice.on('m.room.message', (event) => void messages.push(event.event_id));
    });
    const alice = await realUser();
    const roomId = await roomWithBot(alice.client);
    const eventId = await say(alice.client, roomId, 'I am about to type');

    await alice.client.api.rooms(roomId).typing(alice.userId).put({ typing: true, timeout: 10_000 });
    await waitFor('a typing notification', () => typing.some((t) => t.roomId === roomId && t.userIds.includes(alice.userId)));

    await alice.client.api.rooms(roomId).receipt('m.read', eventId).post({});
    const readBy = (r: { roomId: string; content: Record<string, unknown> }): unknown =>
      r.roomId === roomId && (r.content[eventId] as { 'm.read'?: Record<string, unknown> } | undefined)?.['m.read']?.[alice.userId];
    await waitFor('the read receipt', () => receipts.some(readBy));

    // Synapse puts each ephemeral event under both the stable and the unstable key of the
    // same transaction: the handler still sees it once. A later message, handled, marks the end.
    const later = await say(alice.client, roomId, 'done');
    await waitFor('the later message', () => messages.includes(later));
    expect(receipts.filter(readBy)).toHaveLength(1);
  });

  it('hands a to-device message for a ghost’s device (the unstable MSC2409 key) to the toDevice handler', async () => {
    const received: { type: string; sender: string; toUser: string; toDevice: string; content: unknown }[] = [];
    const appservice = await receiverHere((as) => {
      as.on('toDevice', ({ events }) => {
        for (const e of events) received.push({ type: e.type, sender: e.sender, toUser: e.to_user_id, toDevice: e.to_device_id, content: e.content });
      });
    });
    const ghost = appservice.intent(`${hs.appserviceUserPrefix}device_${Date.now().toString(36)}`);
    await ghost.ensureRegistered();
    // A device for the ghost: the appservice logs it in (no password), which makes one.
    const { device_id: deviceId } = await appservice.client.api.login.post({
      type: 'm.login.application_service',
      identifier: { type: 'm.id.user', user: ghost.userId },
    });
    const alice = await realUser();

    await alice.client.api.sendToDevice('org.example.hello').put({ messages: { [ghost.userId]: { [deviceId]: { greeting: 'hello, ghost device' } } } });

    const got = await waitFor('the to-device message', () => received.find((m) => m.type === 'org.example.hello'));
    expect(got).toEqual({ type: 'org.example.hello', sender: alice.userId, toUser: ghost.userId, toDevice: deviceId, content: { greeting: 'hello, ghost device' } });
  });

  it('answers Synapse’s room alias query through onRoomQuery, which creates the room before answering', async () => {
    const asked: string[] = [];
    await receiverHere((appservice) => {
      appservice.onRoomQuery = async (alias) => {
        asked.push(alias);
        if (!alias.includes('_lobby_')) return false;
        await appservice.client.api.createRoom.post({ preset: 'public_chat', room_alias_name: alias.slice(1, alias.indexOf(':')) });
        return true;
      };
    });
    const alice = await realUser();
    const lobby = `#${hs.appserviceUserPrefix}lobby_${Date.now().toString(36)}:${hs.serverName}`;
    const nowhere = `#${hs.appserviceUserPrefix}nowhere_${Date.now().toString(36)}:${hs.serverName}`;

    const { room_id: roomId } = await alice.client.api.directory.room(lobby).get();
    await alice.client.api.join(lobby).post({});
    const missing = await alice.client.api.directory.room(nowhere).get().then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(asked).toEqual([lobby, nowhere]);
    expect((await alice.client.api.joined_rooms.get()).joined_rooms).toContain(roomId);
    expect(missing).toMatchObject({ status: 404, errcode: 'M_NOT_FOUND' });
  });

  it('loses and repeats nothing when SIGKILLed after persisting a transaction and before answering it', async () => {
    const dir = await tempDir();
    const handledFile = join(dir, 'handled.txt');
    const storeDir = join(dir, 'store');
    const alice = await realUser();
    const roomId = await roomWithBot(alice.client);
    const sent: string[] = [];

    const first = await receiverChild({ storeDir, handledFile, killOnBody: 'the last words' });
    for (const body of ['one', 'two', 'three']) sent.push(await say(alice.client, roomId, body));
    await waitFor('the first messages at the handler', () => sent.every((id) => handledIds(handledFile).includes(id)));

    sent.push(await say(alice.client, roomId, 'the last words'));
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const lastWords = sent.at(-1)!;
    // The process died inside the store's accept: nothing could handle the transaction, nor answer it.
    expect(handledIds(handledFile)).not.toContain(lastWords);
    // While it is dead, more happens; Synapse cannot deliver it.
    for (const body of ['four', 'five']) sent.push(await say(alice.client, roomId, body));

    const second = await receiverChild({ storeDir, handledFile });
    sent.push(await say(alice.client, roomId, 'after the restart'));
    await waitFor('every message at the handler', () => sent.every((id) => handledIds(handledFile).includes(id)), 30_000);
    // The child prints how it recognised each transaction before it handles the next one, but
    // this process reads that output as it comes: wait for the line, do not expect it already here.
    await second.waitForOutput(/^transaction \S+ duplicate$/m, "Synapse's resend was recognised as a duplicate");

    const handled = counts(handledIds(handledFile));
    expect(sent.map((id) => [id, handled.get(id)])).toEqual(sent.map((id) => [id, 1]));
    // The stored transaction was taken up from the store at start, and Synapse's resend of it
    // (same txnId, same events) was recognised as a duplicate rather than handled again.
    expect(second.output()).toMatch(/^resumed [1-9]/m);
    expect(second.output()).toMatch(/^transaction \S+ duplicate$/m);
  });

  it('gets everything, once, that was sent while it was down, after Synapse backed off and it came back', async () => {
    const dir = await tempDir();
    const handledFile = join(dir, 'handled.txt');
    const storeDir = join(dir, 'store');
    const alice = await realUser();
    const roomId = await roomWithBot(alice.client);
    const sent: string[] = [];

    const first = await receiverChild({ storeDir, handledFile });
    sent.push(await say(alice.client, roomId, 'before'));
    await waitFor('the first message at the handler', () => handledIds(handledFile).includes(sent[0]!));
    first.proc.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const logBefore = (await readFile(hs.logFile, 'utf8')).length;
    for (const body of ['while', 'it', 'was', 'down']) sent.push(await say(alice.client, roomId, body));
    // Synapse tries, fails (connection refused), marks the appservice down, backs off (2 s) and fails again.
    const failedPushes = async (): Promise<number> => (await readFile(hs.logFile, 'utf8')).slice(logBefore).split('push_bulk to ').length - 1;
    await waitFor('Synapse to fail a push, back off and fail again', async () => (await failedPushes()) >= 2, 20_000);

    await receiverChild({ storeDir, handledFile });
    sent.push(await say(alice.client, roomId, 'back'));
    await waitFor('every message at the handler', () => sent.every((id) => handledIds(handledFile).includes(id)), 30_000);

    const handled = counts(handledIds(handledFile));
    expect(sent.map((id) => [id, handled.get(id)])).toEqual(sent.map((id) => [id, 1]));
  });

  it('runs the bridge example: a ghost answers a real user, with the original timestamp, and ignores itself', async () => {
    let bridge: ReturnType<typeof runBridge> | undefined;
    await receiverHere((appservice) => {
      bridge = runBridge(appservice);
    });
    const alice = await realUser();
    const { room_id: roomId } = await alice.client.api.createRoom.post({ preset: 'private_chat', invite: [hs.senderUserId] });
    const { joined } = await waitFor('the bot to join on its invite', async () => {
      const members = await alice.client.api.rooms(roomId).joined_members.get();
      return members.joined?.[hs.senderUserId] ? members : undefined;
    });
    expect(Object.keys(joined ?? {})).toContain(hs.senderUserId);

    const eventId = await say(alice.client, roomId, 'Is anyone there?');
    const original = await alice.client.api.rooms(roomId).event(eventId).get();
    const answer = await waitFor('the ghost’s answer', async () => {
      const { chunk } = await alice.client.api.rooms(roomId).messages.get({ dir: 'b', limit: 10 });
      return chunk.find((event) => event.type === 'm.room.message' && event.content['body'] === '(from the other side) Is anyone there?');
    });
    expect(answer.sender).toMatch(new RegExp(`^@${hs.appserviceUserPrefix}echo_`));
    expect(answer.origin_server_ts).toBe(original.origin_server_ts);

    // A second message gets a second answer. The first answer came back to the bridge before the
    // second message (one room is handled in order): had the bridge answered it, that would show here.
    await say(alice.client, roomId, 'Hello?');
    await waitFor('the second answer', () => bridge?.answered === 2);
    const { chunk } = await alice.client.api.rooms(roomId).messages.get({ dir: 'b', limit: 20 });
    const ours = chunk.filter((event) => isEventOfType(event, 'm.room.message')).filter((event) => event.sender.startsWith(`@${hs.appserviceUserPrefix}`));
    expect(ours.map((event) => [event.sender, event.content.body])).toEqual([
      [answer.sender, '(from the other side) Hello?'],
      [answer.sender, '(from the other side) Is anyone there?'],
    ]);
  });
});
