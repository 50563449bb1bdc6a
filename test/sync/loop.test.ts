/**
 * The sync loop against a scripted local homeserver (node:http on 127.0.0.1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientOptions, type MatrixClient } from '../../src/index.js';
import { MemoryStore } from '../../src/sync/store.js';
import type { SyncOptions } from '../../src/sync/types.js';
import type { SyncSeams } from '../../src/internal/test-seams.js';
import { hang, message, reply, sendJson, startFakeServer, stateEvent, syncBody, type FakeServer } from './fake-server.js';
import { ENGINES, useEngine, createClient } from '../transport/engines.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
let server: FakeServer | undefined;
let client: MatrixClient | undefined;

afterEach(async () => {
  await client?.sync.stop();
  await server?.close();
  client = undefined;
  server = undefined;
});

function makeClient(url: string, sync: SyncOptions & SyncSeams = {}, extra: Partial<ClientOptions> = {}): MatrixClient {
  client = createClient({ baseUrl: url, accessToken: 'tok', logger: silent, sync, ...extra });
  return client;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('sync loop', () => {
    it('publishes failed with the backoff delay, then resumed, then ready', async () => {
      server = await startFakeServer([
        reply({ errcode: 'M_UNKNOWN', error: 'boom' }, 500),
        reply({ errcode: 'M_UNKNOWN', error: 'boom' }, 500),
        reply({ errcode: 'M_UNKNOWN', error: 'boom' }, 500),
        reply(syncBody('s1')),
        hang,
      ]);
      const slept: number[] = [];
      const c = makeClient(server.url, {
        random: () => 0.5, // no jitter: exactly 2 s, 4 s, 8 s
        sleep: (ms) => {
          slept.push(ms);
          return Promise.resolve();
        },
      });
      const log: string[] = [];
      c.on('failed', ({ attempt, delayMs, stalled }) => void log.push(`failed ${attempt} ${delayMs} ${stalled}`));
      c.on('resumed', ({ attempts }) => void log.push(`resumed ${attempts}`));
      c.on('ready', ({ nextBatch }) => void log.push(`ready ${nextBatch}`));
      await c.sync.start();
      await new Promise((r) => setTimeout(r, 10));
      expect(log).toEqual(['failed 1 2000 false', 'failed 2 4000 false', 'failed 3 8000 false', 'resumed 3', 'ready s1']);
      expect(slept).toEqual([2000, 4000, 8000]);
    });

    it('jitters the backoff within ±20 % and caps it at 30 s', async () => {
      server = await startFakeServer([reply({ errcode: 'M_UNKNOWN', error: 'down' }, 503)]);
      const slept: number[] = [];
      const done = deferred();
      const c = makeClient(server.url, {
        random: () => 0.999,
        sleep: (ms) => {
          slept.push(ms);
          if (slept.length === 7) done.resolve();
          return Promise.resolve();
        },
      });
      void c.sync.start();
      await done.promise;
      await c.sync.stop();
      // 2, 4, 8, 16, 30, 30, 30 s, each × 1.1996
      expect(slept).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000].map((ms) => Math.round(ms * (0.8 + 0.4 * 0.999))));
    });

    it('passes since from each response to the next request, with filter, presence and timeouts', async () => {
      server = await startFakeServer([reply(syncBody('s1')), reply(syncBody('s2')), hang]);
      const attemptTimeouts: unknown[] = [];
      const c = makeClient(server.url, {
        filter: { room: { timeline: { limit: 5 } } },
        setPresence: 'offline',
        fullState: true,
        timeout: 25_000,
      }, { hooks: { beforeRequest: (state) => void attemptTimeouts.push(state.request.options?.timeout) } });
      await c.sync.start();
      const third = await server.waitForSync(3);
      const [first, second] = server.syncs;
      expect(first!.query.has('since')).toBe(false);
      expect(first!.query.get('timeout')).toBe('0');
      expect(first!.query.get('full_state')).toBe('true');
      expect(second!.query.get('since')).toBe('s1');
      expect(second!.query.get('timeout')).toBe('25000');
      expect(second!.query.has('full_state')).toBe(false);
      expect(third.query.get('since')).toBe('s2');
      expect(JSON.parse(third.query.get('filter')!)).toEqual({ room: { timeline: { limit: 5 } } });
      expect(third.query.get('set_presence')).toBe('offline');
      expect(third.headers.authorization).toBe('Bearer tok');
      expect(c.sync.position).toBe('s2');
      // The transport's per-attempt timeout outlasts the long poll (and the liveness grace).
      // The first poll of a run gets the initial-sync allowance (300 s) instead of the long-poll one.
      expect(attemptTimeouts).toEqual([300_000 + 10_000, 25_000 + 15_000 + 10_000, 25_000 + 15_000 + 10_000]);
    });

    it('uploads an object filter once and sends its id', async () => {
      server = await startFakeServer([reply(syncBody('s1')), hang, reply(syncBody('s2')), hang], {
        'GET /_matrix/client/v3/account/whoami': reply({ user_id: '@bot:test' }),
        'POST /_matrix/client/v3/user/@bot:test/filter': reply({ filter_id: 'f42' }),
      });
      const store = new MemoryStore();
      const c = makeClient(server.url, { store, filter: { presence: { not_types: ['*'] } }, uploadFilter: true });
      await c.sync.start();
      await server.waitForSync(2);
      await c.sync.stop();
      await c.sync.start();
      expect(server.syncs.map((s) => s.query.get('filter'))).toEqual(['f42', 'f42', 'f42']);
      const uploads = server.requests.filter((r) => r.method === 'POST');
      expect(uploads).toHaveLength(1);
      expect(uploads[0]!.body).toEqual({ presence: { not_types: ['*'] } });
    });

    it('publishes join, state, timeline, then leave in order and tracks the room state', async () => {
      const room = '!r:test';
      server = await startFakeServer([
        reply(syncBody('s1', {
          join: {
            [room]: {
              state: { events: [stateEvent('m.room.create', '', { room_version: '11' }), stateEvent('m.room.name', '', { name: 'Old' })] },
              timeline: { events: [stateEvent('m.room.name', '', { name: 'New' }), message('hi')], limited: false },
            },
          },
        })),
        reply(syncBody('s2', {
          leave: {
            [room]: {
              state: { events: [] },
              timeline: { events: [stateEvent('m.room.member', '@me:test', { membership: 'leave' }, '@me:test')] },
            },
          },
        })),
        hang,
      ]);
      const c = makeClient(server.url);
      const log: string[] = [];
      c.on('join', ({ roomId }) => void log.push(`join ${roomId}`));
      c.on('state', ({ events, membership }) => void log.push(`state ${membership} ${events.length}`));
      c.on('m.room.name', (event, ctx) => {
        log.push(`name ${ctx.source} ${event.content.name} now=${c.sync.state.getState(ctx.roomId, 'm.room.name')?.content.name}`);
      });
      c.on('m.room.message', (event, ctx) => void log.push(`message ${ctx.roomId} ${event.content.body}`));
      c.on('timeline', ({ events, membership }) => void log.push(`timeline ${membership} ${events.length}`));
      c.on('m.room.member', (event, ctx) => void log.push(`member ${ctx.source} ${event.state_key} ${event.content.membership}`));
      c.on('leave', ({ roomId }) => {
        log.push(`leave ${roomId} tracked=${c.sync.state.getState(roomId, 'm.room.member', '@me:test')?.content.membership}`);
      });
      const done = deferred();
      c.on('sync', (batch) => {
        if (batch.nextBatch === 's2') done.resolve();
      });
      await c.sync.start();
      await done.promise;
      expect(log).toEqual([
        `join ${room}`,
        'state join 2',
        'name state Old now=Old',
        'name timeline New now=New',
        `message ${room} hi`,
        'timeline join 2',
        'member timeline @me:test leave',
        'timeline leave 1',
        `leave ${room} tracked=leave`,
      ]);
      expect(c.sync.state.hasRoom(room)).toBe(false);
    });

    it('delivers account data, to-device, presence, typing and receipts', async () => {
      const room = '!r:test';
      server = await startFakeServer([
        reply(syncBody('s1', {
          join: {
            [room]: {
              ephemeral: {
                events: [
                  { type: 'm.typing', content: { user_ids: ['@a:test'] } },
                  { type: 'm.receipt', content: { $e: { 'm.read': { '@a:test': { ts: 1 } } } } },
                ],
              },
              account_data: { events: [{ type: 'm.tag', content: { tags: { 'm.favourite': {} } } }] },
            },
          },
          invite: { '!i:test': { invite_state: { events: [stateEvent('m.room.name', '', { name: 'Invited' })] } } },
        }, {
          account_data: { events: [{ type: 'm.direct', content: { '@a:test': ['!r:test'] } }] },
          to_device: { events: [{ type: 'm.dummy', sender: '@a:test', content: {} }] },
          presence: { events: [{ type: 'm.presence', sender: '@a:test', content: { presence: 'online' } }] },
        })),
        hang,
      ]);
      const c = makeClient(server.url);
      const log: string[] = [];
      c.on('accountData', ({ roomId, events }) => void log.push(`accountData ${roomId} ${events[0]?.type}`));
      c.on('m.direct', (event, ctx) => void log.push(`m.direct ${ctx.source} ${Object.keys(event.content).join()}`));
      c.on('presence', ({ events }) => void log.push(`presence ${events[0]?.content.presence}`));
      c.on('toDevice', ({ events }) => void log.push(`toDevice ${events[0]?.type}`));
      c.on('invite', ({ roomId, state }) => void log.push(`invite ${roomId} ${String(state[0]?.content.name)}`));
      c.on('typing', ({ roomId, userIds }) => void log.push(`typing ${roomId} ${userIds.join()}`));
      c.on('receipt', ({ content }) => void log.push(`receipt ${Object.keys(content).join()}`));
      c.on('m.tag', (event, ctx) => void log.push(`m.tag ${ctx.roomId} ${Object.keys(event.content.tags ?? {}).join()}`));
      await c.sync.start();
      expect(log).toEqual([
        'accountData undefined m.direct',
        'm.direct account_data @a:test',
        'presence online',
        'toDevice m.dummy',
        'invite !i:test Invited',
        `typing ${room} @a:test`,
        'receipt $e',
        `accountData ${room} m.tag`,
        `m.tag ${room} m.favourite`,
      ]);
    });

    it('reports a throwing handler through error; the others and the loop go on', async () => {
      const room = '!r:test';
      server = await startFakeServer([
        reply(syncBody('s1', { join: { [room]: { timeline: { events: [message('a'), message('b')] } } } })),
        reply(syncBody('s2', { join: { [room]: { timeline: { events: [message('c')] } } } })),
        hang,
      ]);
      const c = makeClient(server.url);
      const seen: string[] = [];
      const errors: string[] = [];
      c.on('m.room.message', (event) => {
        if (event.content.body === 'a') throw new Error('sync throw');
      });
      c.on('m.room.message', async (event) => {
        await Promise.resolve();
        if (event.content.body === 'b') throw new Error('async throw');
        seen.push(String(event.content.body));
      });
      c.on('m.room.message', (event) => void seen.push(`second ${event.content.body}`));
      c.on('error', ({ error, event }) => void errors.push(`${event}: ${(error as Error).message}`));
      await c.sync.start();
      await server.waitForSync(3);
      expect(errors).toEqual(['m.room.message: sync throw', 'm.room.message: async throw']);
      expect(seen).toEqual(['a', 'second a', 'second b', 'c', 'second c']);
      expect(c.sync.position).toBe('s2');
    });

    it('commits next_batch only after every async handler of the batch has finished', async () => {
      const room = '!r:test';
      server = await startFakeServer([
        reply(syncBody('s1', { join: { [room]: { timeline: { events: [message('slow')] } } } })),
        hang,
      ]);
      const store = new MemoryStore();
      const c = makeClient(server.url, { store });
      const gate = deferred();
      const entered = deferred();
      c.on('m.room.message', async () => {
        entered.resolve();
        await gate.promise;
      });
      const ready = c.sync.start();
      await entered.promise;
      await new Promise((r) => setTimeout(r, 50));
      expect(await store.get('sync.next_batch')).toBeUndefined();
      expect(server.syncs).toHaveLength(1);
      gate.resolve();
      await ready;
      expect(await store.get('sync.next_batch')).toBe('s1');
    });

    it('resumes from the stored position with the stored room state', async () => {
      const store = new MemoryStore();
      const room = '!r:test';
      server = await startFakeServer([
        reply(syncBody('s1', { join: { [room]: { state: { events: [stateEvent('m.room.topic', '', { topic: 'T' })] } } } })),
        hang,
      ]);
      const first = makeClient(server.url, { store });
      await first.sync.start();
      await first.sync.stop();
      await server.close();
      server = await startFakeServer([reply(syncBody('s2')), hang]);
      const second = makeClient(server.url, { store });
      const joins: string[] = [];
      second.on('join', ({ roomId }) => void joins.push(roomId));
      const ready = deferred<boolean>();
      second.on('ready', ({ resumed }) => ready.resolve(resumed));
      await second.sync.start();
      expect(await ready.promise).toBe(true);
      expect(server.syncs[0]!.query.get('since')).toBe('s1');
      expect(second.sync.state.getState(room, 'm.room.topic')?.content.topic).toBe('T');
      expect(joins).toEqual([]);
    });

    it('never hands an event whose type is a lifecycle or group name to those handlers', async () => {
      const room = '!r:test';
      const crafted = (type: string) => ({ type, event_id: `$${type}`, sender: '@mallory:test', origin_server_ts: 1, content: {} });
      server = await startFakeServer([
        reply(syncBody('s1', { join: { [room]: { timeline: { events: ['fatal', 'stopped', 'ready', 'error', 'join', 'sync'].map(crafted) } } } }, {
          to_device: { events: [{ type: 'fatal', sender: '@mallory:test', content: {} }] },
        })),
        hang,
      ]);
      const c = makeClient(server.url);
      const calls: string[] = [];
      for (const name of ['fatal', 'stopped', 'ready', 'error', 'join', 'sync'] as const) {
        c.on(name, ((info: unknown) => void calls.push(`${name}:${(info as { type?: string } | undefined)?.type ?? 'lifecycle'}`)) as never);
      }
      await c.sync.start();
      await c.sync.stop();
      // Only the real lifecycle and group events: one join, one sync, one ready, one stopped.
      expect(calls.sort()).toEqual(['join:lifecycle', 'ready:lifecycle', 'stopped:lifecycle', 'sync:lifecycle']);
    });

    it('recovers a stalled long poll with the liveness guard', async () => {
      server = await startFakeServer([reply(syncBody('s1')), hang, reply(syncBody('s2')), hang]);
      const c = makeClient(server.url, { timeout: 100, livenessGrace: 150 });
      const log: string[] = [];
      c.on('failed', ({ stalled, delayMs, error }) => void log.push(`failed stalled=${stalled} ${delayMs} ${(error as Error).name}`));
      c.on('resumed', ({ attempts }) => void log.push(`resumed ${attempts}`));
      const started = Date.now();
      await c.sync.start();
      const fourth = await server.waitForSync(4);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(log).toEqual(['failed stalled=true 0 SyncStalledError', 'resumed 1']);
      expect(server.syncs[2]!.query.get('since')).toBe('s1');
      expect(fourth.query.get('since')).toBe('s2');
    });

    it('stops with fatal on M_UNKNOWN_TOKEN (soft logout) instead of retrying', async () => {
      server = await startFakeServer([reply({ errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid token', soft_logout: true }, 401)]);
      const c = makeClient(server.url, { sleep: () => Promise.resolve() });
      const fatal = deferred<{ softLogout: boolean; errcode: unknown }>();
      const stopped = deferred();
      const failed: unknown[] = [];
      c.on('fatal', ({ error, softLogout }) => fatal.resolve({ softLogout, errcode: (error as { errcode?: unknown }).errcode }));
      c.on('failed', (info) => void failed.push(info));
      c.on('stopped', () => stopped.resolve());
      await expect(c.sync.start()).rejects.toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', softLogout: true });
      expect(await fatal.promise).toEqual({ softLogout: true, errcode: 'M_UNKNOWN_TOKEN' });
      await stopped.promise;
      expect(c.sync.status).toBe('stopped');
      expect(failed).toEqual([]);
      expect(server.syncs).toHaveLength(1);
    });

    it('start and stop are idempotent, and stop ends the in-flight long poll at once', async () => {
      let closed: Promise<boolean> | undefined;
      server = await startFakeServer([
        reply(syncBody('s1')),
        (_req, res) => {
          closed = new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished)));
        },
        reply(syncBody('s2')),
        hang,
      ]);
      const c = makeClient(server.url);
      const a = c.sync.start();
      const b = c.sync.start();
      expect(a).toBe(b);
      await a;
      await server.waitForSync(2);
      expect(c.sync.status).toBe('running');
      const started = Date.now();
      const s1 = c.sync.stop();
      const s2 = c.sync.stop();
      await Promise.all([s1, s2]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await closed).toBe(true);
      expect(c.sync.status).toBe('stopped');
      await c.sync.stop();
      expect(server.syncs).toHaveLength(2);
      // And it can start again, from the committed position.
      await c.sync.start();
      expect(server.syncs[2]!.query.get('since')).toBe('s1');
    });

    it('finishes and commits the batch being delivered when stop() is called from a handler', async () => {
      const room = '!r:test';
      server = await startFakeServer([
        reply(syncBody('s1', { join: { [room]: { timeline: { events: [message('!quit'), message('after')] } } } })),
        hang,
      ]);
      const store = new MemoryStore();
      const c = makeClient(server.url, { store });
      const seen: string[] = [];
      c.on('m.room.message', (event) => {
        seen.push(String(event.content.body));
        if (event.content.body === '!quit') void c.sync.stop();
      });
      await c.sync.start();
      await c.sync.stop();
      expect(seen).toEqual(['!quit', 'after']);
      expect(await store.get('sync.next_batch')).toBe('s1');
      expect(server.syncs).toHaveLength(1);
    });

    it('serves batches() to a pulling consumer, committing on the next iteration and not the batch in hand on break', async () => {
      server = await startFakeServer([reply(syncBody('s1')), reply(syncBody('s2')), reply(syncBody('s3')), hang]);
      const store = new MemoryStore();
      const c = makeClient(server.url, { store });
      const tokens: string[] = [];
      for await (const batch of c.sync.batches()) {
        tokens.push(batch.nextBatch);
        // Not committed while the consumer holds the batch.
        expect(await store.get('sync.next_batch')).toBe(batch.since);
        if (tokens.length === 3) break;
      }
      expect(tokens).toEqual(['s1', 's2', 's3']);
      // Leaving with break: whether s3 was processed is unknown, so it is not committed.
      expect(await store.get('sync.next_batch')).toBe('s2');
      expect(c.sync.status).toBe('stopped');
    });

    it('does not commit the batch of a batches() consumer that throws, so a restart gets it again', async () => {
      server = await startFakeServer([reply(syncBody('s1')), reply(syncBody('s2')), hang]);
      const store = new MemoryStore();
      const c = makeClient(server.url, { store });
      const failure = await (async () => {
        for await (const batch of c.sync.batches()) {
          if (batch.nextBatch === 's2') throw new Error('consumer failed on s2');
        }
      })().catch((error: unknown) => error);
      expect(String(failure)).toMatch(/consumer failed on s2/);
      expect(await store.get('sync.next_batch')).toBe('s1');
    });

    it('once runs a handler a single time and off removes it', async () => {
      const room = '!r:test';
      server = await startFakeServer([
        reply(syncBody('s1', { join: { [room]: { timeline: { events: [message('1'), message('2')] } } } })),
        hang,
      ]);
      const c = makeClient(server.url);
      const once: string[] = [];
      const removed: string[] = [];
      const handler = (): void => void removed.push('x');
      c.once('m.room.message', (event) => void once.push(String(event.content.body)));
      c.on('m.room.message', handler).off('m.room.message', handler);
      await c.sync.start();
      expect(once).toEqual(['1']);
      expect(removed).toEqual([]);
    });

    it('does not advance after a failed commit (the batch comes again)', async () => {
      const room = '!r:test';
      server = await startFakeServer([
        reply(syncBody('s1', { join: { [room]: { timeline: { events: [message('m')] } } } })),
        reply(syncBody('s1', { join: { [room]: { timeline: { events: [message('m')] } } } })),
        hang,
      ]);
      let fail = true;
      const inner = new MemoryStore();
      const store = {
        get: (k: string) => inner.get(k),
        set: (k: string, v: unknown) => inner.set(k, v),
        delete: (k: string) => inner.delete(k),
        write: (changes: ReadonlyMap<string, unknown>) => {
          if (fail) {
            fail = false;
            return Promise.reject(new Error('disk full'));
          }
          return inner.write(changes);
        },
      };
      const c = makeClient(server.url, { store, sleep: () => Promise.resolve() });
      const failed: string[] = [];
      let delivered = 0;
      c.on('failed', ({ error }) => void failed.push((error as Error).message));
      c.on('m.room.message', () => void delivered++);
      await c.sync.start();
      expect(failed).toEqual(['disk full']);
      expect(delivered).toBe(2);
      expect(server.syncs[1]!.query.has('since')).toBe(false);
      expect(await inner.get('sync.next_batch')).toBe('s1');
    });

    it('waits out a 429 for at least the server-given delay', async () => {
      server = await startFakeServer([
        (_req, res) => sendJson(res, 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'slow down', retry_after_ms: 7_000 }),
        reply(syncBody('s1')),
        hang,
      ]);
      const slept: number[] = [];
      const c = makeClient(server.url, { random: () => 0.5, sleep: (ms) => {
        slept.push(ms);
        return Promise.resolve();
      } });
      await c.sync.start();
      expect(slept).toEqual([7_000]);
    });
  });
});
