/**
 * Intents against a scripted local server: single-flight registration with
 * `inhibit_login`, `M_USER_IN_USE` as done, failures not cached, bounded caches,
 * namespace refusals before any request, joins, and the senders.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, IntentManager, isMatrixError, type AppserviceRegistration, type ClientOptions } from '../../src/index.js';
import type { TransportSeams } from '../../src/internal/test-seams.js';
import { recordingSleep, rejection } from '../transport/fixtures.js';
import { startServer, type TestServer } from '../transport/http-test-server.js';

const AS_TOKEN = 'as_token_for_the_intent_tests_0123456789';
const registration: Pick<AppserviceRegistration, 'sender_localpart' | 'namespaces'> = {
  sender_localpart: 'ircbot',
  namespaces: { users: [{ regex: '^@_irc_.*:example\\.org$', exclusive: true }] },
};

/** One scripted answer: a status and a JSON body. */
type Answer = [status: number, body: unknown];

/**
 * A homeserver of scripted answers, keyed by `METHOD path` (no query): each
 * request takes the next answer of its key; the last one repeats. Answers can be
 * held until `release()` so that concurrent callers meet one request in flight.
 */
async function homeserver(script: Record<string, Answer[]>): Promise<TestServer & { release(): void; held: () => number }> {
  const served = new Map<string, number>();
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  let held = 0;
  const server = await startServer(async (req, res: ServerResponse) => {
    const key = `${req.method} ${decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)}`;
    const answers = script[key] ?? [[404, { errcode: 'M_UNRECOGNIZED', error: `no script for ${key}` }]];
    const index = served.get(key) ?? 0;
    served.set(key, index + 1);
    const [status, body] = answers[Math.min(index, answers.length - 1)]!;
    if (gate) {
      held += 1;
      await gate.promise;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  let open!: () => void;
  gate = { promise: new Promise<void>((resolve) => (open = resolve)), open: () => open() };
  return Object.assign(server, { release: () => { gate?.open(); gate = undefined; }, held: () => held });
}

const REGISTER = 'POST /_matrix/client/v3/register';
const JOIN = 'POST /_matrix/client/v3/rooms/!room:example.org/join';
const OK_REGISTER: Answer = [200, { user_id: '@_irc_alice:example.org' }];

let server: (TestServer & { release(): void; held: () => number }) | undefined;
afterEach(async () => {
  server?.release();
  await server?.close();
  server = undefined;
});

function manager(hs: TestServer, cacheSize?: number): IntentManager {
  const options: ClientOptions & TransportSeams = { baseUrl: hs.url, asToken: AS_TOKEN, sleep: recordingSleep().sleep, retry: { limit: 2 } };
  const client = createClient(options);
  return new IntentManager({ client, registration, serverName: 'example.org', ...(cacheSize === undefined ? {} : { cacheSize }) });
}

/** The requests of one key, as `METHOD path?query`. */
function log(hs: TestServer, key?: string): string[] {
  return hs.requests.map((r) => `${r.method} ${decodeURIComponent(r.url)}`).filter((line) => key === undefined || line.startsWith(key));
}

/** Waits until the server holds `n` requests (the gate keeps them open). */
async function heldRequests(hs: { held: () => number }, n: number): Promise<void> {
  while (hs.held() < n) await new Promise((resolve) => setImmediate(resolve));
}

describe('ensureRegistered', () => {
  it('sends one registration with inhibit_login for many concurrent callers', async () => {
    server = await homeserver({ [REGISTER]: [OK_REGISTER] });
    const intents = manager(server);
    const ghost = intents.intent('_irc_alice');
    const callers = Array.from({ length: 20 }, () => ghost.ensureRegistered());
    const again = intents.intent('@_irc_alice:example.org').ensureRegistered();
    await heldRequests(server, 1);
    server.release();
    await Promise.all([...callers, again]);

    expect(log(server)).toEqual([`${REGISTER}`]);
    const [request] = server.requests;
    expect(JSON.parse(request!.body.toString())).toEqual({ type: 'm.login.application_service', username: '_irc_alice', inhibit_login: true });
    expect(request!.headers.authorization).toBe(`Bearer ${AS_TOKEN}`);
    await ghost.ensureRegistered();
    expect(server.requests).toHaveLength(1);
  });

  it('counts M_USER_IN_USE as registered, and asks no more', async () => {
    server = await homeserver({ [REGISTER]: [[400, { errcode: 'M_USER_IN_USE', error: 'User ID already taken.' }]] });
    server.release();
    const ghost = manager(server).intent('_irc_alice');
    await ghost.ensureRegistered();
    await ghost.ensureRegistered();
    expect(log(server)).toEqual([REGISTER]);
  });

  it('does not remember a failure: the next call asks again', async () => {
    server = await homeserver({ [REGISTER]: [[400, { errcode: 'M_EXCLUSIVE', error: 'claimed by another service' }], OK_REGISTER] });
    server.release();
    const ghost = manager(server).intent('_irc_alice');
    const error = await rejection(ghost.ensureRegistered());
    expect(isMatrixError(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, errcode: 'M_EXCLUSIVE' });
    await ghost.ensureRegistered();
    await ghost.ensureRegistered();
    expect(log(server)).toEqual([REGISTER, REGISTER]);
  });

  it('repeats a registration the server failed to answer, and the repeat meeting M_USER_IN_USE counts as done', async () => {
    server = await homeserver({ [REGISTER]: [[502, { errcode: 'M_UNKNOWN', error: 'bad gateway' }], [400, { errcode: 'M_USER_IN_USE', error: 'taken' }]] });
    server.release();
    await manager(server).intent('_irc_alice').ensureRegistered();
    expect(log(server)).toEqual([REGISTER, REGISTER]);
  });

  it('forgets the least recently used registered users past the cache size', async () => {
    server = await homeserver({ [REGISTER]: [OK_REGISTER] });
    server.release();
    const intents = manager(server, 2);
    await intents.intent('_irc_a').ensureRegistered();
    await intents.intent('_irc_b').ensureRegistered();
    await intents.intent('_irc_a').ensureRegistered(); // a is the most recent again
    await intents.intent('_irc_c').ensureRegistered(); // b goes
    expect(server.requests).toHaveLength(3);
    await intents.intent('_irc_a').ensureRegistered();
    expect(server.requests).toHaveLength(3);
    await intents.intent('_irc_b').ensureRegistered();
    expect(server.requests.map((r) => JSON.parse(r.body.toString()).username)).toEqual(['_irc_a', '_irc_b', '_irc_c', '_irc_b']);
  });

  it('never registers the application service user, which the homeserver makes', async () => {
    server = await homeserver({});
    server.release();
    const intents = manager(server);
    await intents.bot.ensureRegistered();
    await intents.intent('ircbot').ensureRegistered();
    expect(server.requests).toHaveLength(0);
  });
});

describe('intent()', () => {
  it('returns the same object for a user while it is cached, and a new one after eviction', async () => {
    server = await homeserver({});
    const intents = manager(server, 2);
    const alice = intents.intent('_irc_alice');
    expect(intents.intent('@_irc_alice:example.org')).toBe(alice);
    expect(alice.userId).toBe('@_irc_alice:example.org');
    intents.intent('_irc_b');
    intents.intent('_irc_c');
    expect(intents.intent('_irc_alice')).not.toBe(alice);
    expect(intents.intent('ircbot')).toBe(intents.bot);
    expect(intents.intent('@ircbot:example.org')).toBe(intents.bot);
  });

  it.each([
    ['a user outside the namespaces', '@alice:example.org', /outside the application service's user namespaces/],
    ['a localpart outside the namespaces', 'alice', /@alice:example\.org is outside/],
    ['a user of another server', '@_irc_alice:example.com', /belongs to example\.com/],
    ['a localpart with a colon', '_irc_a:b', /neither a localpart nor a user id/],
    ['an empty name', '', /needs a localpart or a user id/],
    ['an id without a server', '@_irc_alice', /is not a user id/],
  ])('refuses %s with a TypeError, before any request', async (_name, name, message) => {
    server = await homeserver({});
    const intents = manager(server);
    expect(() => intents.intent(name)).toThrow(TypeError);
    expect(() => intents.intent(name)).toThrow(message);
    expect(server.requests).toHaveLength(0);
  });
});

describe('ensureJoined and the senders', () => {
  it('registers, then joins once as the user for concurrent callers, and remembers the room', async () => {
    server = await homeserver({ [REGISTER]: [OK_REGISTER], [JOIN]: [[200, { room_id: '!room:example.org' }]] });
    const ghost = manager(server).intent('_irc_alice');
    const joins = [ghost.ensureJoined('!room:example.org'), ghost.ensureJoined('!room:example.org'), ghost.ensureJoined('!room:example.org')];
    await heldRequests(server, 1);
    server.release();
    await Promise.all(joins);
    await ghost.ensureJoined('!room:example.org');
    expect(log(server)).toEqual([REGISTER, `${JOIN}?user_id=@_irc_alice:example.org`]);
  });

  it('surfaces M_FORBIDDEN as the MatrixError and tries the join again next time', async () => {
    server = await homeserver({ [REGISTER]: [OK_REGISTER], [JOIN]: [[403, { errcode: 'M_FORBIDDEN', error: 'You are not invited to this room.' }], [200, { room_id: '!room:example.org' }]] });
    server.release();
    const ghost = manager(server).intent('_irc_alice');
    const error = await rejection(ghost.ensureJoined('!room:example.org'));
    expect(error).toMatchObject({ name: 'MatrixError', status: 403, errcode: 'M_FORBIDDEN' });
    await ghost.ensureJoined('!room:example.org');
    expect(log(server, 'POST /_matrix/client/v3/rooms')).toHaveLength(2);
  });

  it('refuses something that is not a room id before any request', async () => {
    server = await homeserver({});
    await expect(manager(server).intent('_irc_alice').ensureJoined('#alias:example.org')).rejects.toThrow(TypeError);
    expect(server.requests).toHaveLength(0);
  });

  it('sends text as the user with its timestamp, after joining', async () => {
    server = await homeserver({
      [REGISTER]: [OK_REGISTER],
      [JOIN]: [[200, { room_id: '!room:example.org' }]],
      'PUT /_matrix/client/v3/rooms/!room:example.org/send/m.room.message/txn-1': [[200, { event_id: '$sent' }]],
    });
    server.release();
    const ghost = manager(server).intent('_irc_alice');
    const eventId = await ghost.sendText('!room:example.org', 'hello from IRC', { ts: 1_577_934_245_000, txnId: 'txn-1' });
    expect(eventId).toBe('$sent');
    const sent = server.requests[2]!;
    expect(`${sent.method} ${decodeURIComponent(sent.url)}`).toBe(
      'PUT /_matrix/client/v3/rooms/!room:example.org/send/m.room.message/txn-1?ts=1577934245000&user_id=@_irc_alice:example.org',
    );
    expect(JSON.parse(sent.body.toString())).toEqual({ msgtype: 'm.text', body: 'hello from IRC' });
  });

  it('sends as the bot with the plain as_token client (no user_id)', async () => {
    server = await homeserver({
      [JOIN]: [[200, { room_id: '!room:example.org' }]],
      'PUT /_matrix/client/v3/rooms/!room:example.org/send/m.room.message/t': [[200, { event_id: '$bot' }]],
    });
    server.release();
    const intents = manager(server);
    expect(await intents.bot.sendMessage('!room:example.org', { msgtype: 'm.notice', body: 'bridge ready' }, { txnId: 't' })).toBe('$bot');
    expect(log(server)).toEqual([JOIN, 'PUT /_matrix/client/v3/rooms/!room:example.org/send/m.room.message/t']);
  });

  it('sets the display name as the user, after registering', async () => {
    server = await homeserver({ [REGISTER]: [OK_REGISTER], 'PUT /_matrix/client/v3/profile/@_irc_alice:example.org/displayname': [[200, {}]] });
    server.release();
    await manager(server).intent('_irc_alice').setDisplayName('alice (IRC)');
    expect(log(server)).toEqual([REGISTER, 'PUT /_matrix/client/v3/profile/@_irc_alice:example.org/displayname?user_id=@_irc_alice:example.org']);
    expect(JSON.parse(server.requests[1]!.body.toString())).toEqual({ displayname: 'alice (IRC)' });
  });
});
