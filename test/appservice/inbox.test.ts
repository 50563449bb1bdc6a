/**
 * The durable inbox behind the 200: dedupe (retries, concurrent retries, txnId
 * resets, event ids), per-queue order under the concurrency cap, backpressure,
 * retries and dead letters, and what a transaction body may carry.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAppserviceStore, type Appservice, type AppserviceStore, type InboxTransaction } from '../../src/index.js';
import { collector, controlledSleep, deferred, message, putTransaction, started } from './helpers.js';

let appservice: Appservice | undefined;
afterEach(async () => {
  await appservice?.stop({ deadlineMs: 100 });
  appservice = undefined;
});

/** A memory store that logs its accepts into `log`. */
function loggingStore(log: string[]): AppserviceStore {
  const store = new MemoryAppserviceStore();
  const accept = store.accept.bind(store);
  store.accept = async (t: InboxTransaction) => {
    const result = await accept(t);
    log.push(`accept ${t.txnId} ${result.status}`);
    return result;
  };
  return store;
}

const noWait = (): Promise<void> => Promise.resolve();

describe('dedupe', () => {
  it('a retried transaction is acknowledged again and its events are handled once', async () => {
    const statuses: string[] = [];
    appservice = await started({ metrics: { transaction: ({ status }) => void statuses.push(status) } });
    const seen: string[] = [];
    const two = collector<string>(2);
    appservice.on('m.room.message', (event) => {
      seen.push(event.event_id);
      two.push(event.event_id);
    });
    const body = { events: [message(1)] };
    expect((await appservice.fetch(putTransaction('1', body))).status).toBe(200);
    expect((await appservice.fetch(putTransaction('1', body))).status).toBe(200);
    expect((await appservice.fetch(putTransaction('2', { events: [message(2)] }))).status).toBe(200);
    await two.done;
    expect(seen).toEqual(['$e1', '$e2']);
    expect(statuses).toEqual(['new', 'duplicate', 'new']);
  });

  it('a concurrent retry waits for the first attempt and is acknowledged after it, stored once', async () => {
    const log: string[] = [];
    const store = loggingStore(log);
    const gate = deferred();
    const accept = store.accept.bind(store);
    store.accept = async (t) => {
      log.push(`start ${t.txnId}`);
      await gate.promise;
      return accept(t);
    };
    appservice = await started({ store });
    const first = appservice.fetch(putTransaction('c1', { events: [message(1)] }));
    const retry = appservice.fetch(putTransaction('c1', { events: [message(1)] }));
    const retryStatus = retry.then((r) => {
      log.push('retry answered');
      return r.status;
    });
    // The first attempt is in the store, the retry waits behind it.
    await expect.poll(() => log).toContain('start c1');
    gate.resolve();
    expect((await first).status).toBe(200);
    expect(await retryStatus).toBe(200);
    expect(log).toEqual(['start c1', 'accept c1 new', 'retry answered']);
  });

  it('the same txnId with other events is a reset: logged, reported and processed, not dropped', async () => {
    const warnings: string[] = [];
    const statuses: string[] = [];
    appservice = await started({
      logger: { debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} },
      metrics: { transaction: ({ status }) => void statuses.push(status) },
    });
    const resets: string[] = [];
    appservice.on('reset', ({ txnId }) => void resets.push(txnId));
    const both = collector<string>(2);
    appservice.on('m.room.message', (event) => both.push(event.event_id));
    await appservice.fetch(putTransaction('1', { events: [message('a')] }));
    const response = await appservice.fetch(putTransaction('1', { events: [message('b')] }));
    expect(response.status).toBe(200);
    expect(await both.done).toEqual(['$ea', '$eb']);
    expect(statuses).toEqual(['new', 'reset']);
    expect(resets).toEqual(['1']);
    expect(warnings.some((w) => w.includes('reset'))).toBe(true);
  });

  it('a reset handler that never finishes does not hold the 200; one that throws is reported through error', async () => {
    appservice = await started();
    const hung = deferred();
    const calls: string[] = [];
    appservice.on('reset', ({ txnId }) => {
      calls.push(txnId);
      return txnId === '1' ? hung.promise : Promise.reject(new Error('reset handler failed'));
    });
    const reported = deferred<unknown>();
    appservice.on('error', ({ error }) => reported.resolve(error));
    await appservice.fetch(putTransaction('1', { events: [message('a')] }));
    expect((await appservice.fetch(putTransaction('1', { events: [message('b')] }))).status).toBe(200);
    expect((await appservice.fetch(putTransaction('1', { events: [message('c')] }))).status).toBe(200);
    await appservice.fetch(putTransaction('2', { events: [message('d')] }));
    await appservice.fetch(putTransaction('2', { events: [message('e')] }));
    expect(calls).toEqual(['1', '1', '2']);
    expect(String(await reported.promise)).toMatch(/reset handler failed/);
    hung.resolve();
  });

  it('an error handler that never finishes does not hold the 500 of a store failure', async () => {
    const store = new MemoryAppserviceStore();
    store.accept = () => Promise.reject(new Error('disk full'));
    appservice = await started({ store });
    const hung = deferred();
    const reported: string[] = [];
    appservice.on('error', ({ event }) => {
      reported.push(event);
      return hung.promise;
    });
    const response = await appservice.fetch(putTransaction('1', { events: [message('a')] }));
    expect(response.status).toBe(500);
    expect(reported).toEqual(['store']);
    hung.resolve();
  });

  it('a reused txnId carrying only to-device data after a reset is processed, not taken for a duplicate', async () => {
    const statuses: string[] = [];
    appservice = await started({ metrics: { transaction: ({ status }) => void statuses.push(status) } });
    const bodies = collector<string>(2);
    appservice.on('toDevice', ({ events }) => bodies.push(String(events[0]?.content['body'])));
    const toDevice = (body: string) => ({ type: 'm.x', sender: '@a:example.org', to_user_id: '@_bridge_u:example.org', to_device_id: 'D', content: { body } });
    expect((await appservice.fetch(putTransaction('1', { events: [], 'de.sorunome.msc2409.to_device': [toDevice('first')] }))).status).toBe(200);
    expect((await appservice.fetch(putTransaction('1', { events: [], 'de.sorunome.msc2409.to_device': [toDevice('second')] }))).status).toBe(200);
    expect(statuses).toEqual(['new', 'reset']);
    expect(await bodies.done).toEqual(['first', 'second']);
  });

  it('a failed transaction resent without its to-device data is acknowledged; its events run once and the to-device message once', async () => {
    appservice = await started();
    const seen: string[] = [];
    const last = deferred();
    appservice.on('m.room.message', (event) => {
      seen.push(event.event_id);
      if (event.event_id === '$e9') last.resolve();
    });
    const device: string[] = [];
    const lastDevice = deferred();
    appservice.on('toDevice', ({ events }) => {
      const body = String(events[0]?.content['body']);
      device.push(body);
      if (body === 'last') lastDevice.resolve();
    });
    const toDevice = (body: string) => ({ type: 'm.x', sender: '@a:example.org', to_user_id: '@_bridge_u:example.org', to_device_id: 'D', content: { body } });
    expect((await appservice.fetch(putTransaction('1', { events: [message(1), message(2)], 'de.sorunome.msc2409.to_device': [toDevice('once')] }))).status).toBe(200);
    expect((await appservice.fetch(putTransaction('1', { events: [message(1), message(2)] }))).status).toBe(200);
    // One room and one device queue: once these ran, everything queued before them has run.
    expect((await appservice.fetch(putTransaction('2', { events: [message(9)], 'de.sorunome.msc2409.to_device': [toDevice('last')] }))).status).toBe(200);
    await last.promise;
    await lastDevice.promise;
    expect(seen).toEqual(['$e1', '$e2', '$e9']);
    expect(device).toEqual(['once', 'last']);
  });

  it('an event already received in another transaction is not handled again', async () => {
    appservice = await started();
    const seen: string[] = [];
    const last = deferred();
    appservice.on('m.room.message', (event) => {
      seen.push(event.event_id);
      if (event.event_id === '$e5') last.resolve();
    });
    await appservice.fetch(putTransaction('1', { events: [message(1), message(2)] }));
    await appservice.fetch(putTransaction('2', { events: [message(2), message(3), message(3)] }));
    await appservice.fetch(putTransaction('3', { events: [message(4), message(1), message(5)] }));
    // One room, one queue: once $e5 ran, everything queued before it has run.
    await last.promise;
    expect(seen).toEqual(['$e1', '$e2', '$e3', '$e4', '$e5']);
  });
});

describe('order and concurrency', () => {
  it('events of a room run one after another, each starting when the previous handler finished', async () => {
    appservice = await started({ concurrency: 8 });
    const log: string[] = [];
    const gates = new Map([['$e1', deferred()], ['$e3', deferred()]]);
    const started1 = deferred();
    const otherRoom = deferred();
    const all = collector<string>(4);
    appservice.on('m.room.message', async (event, { roomId }) => {
      log.push(`start ${event.event_id}`);
      if (event.event_id === '$e1') started1.resolve();
      if (roomId === '!b:x') otherRoom.resolve();
      await gates.get(event.event_id)?.promise;
      log.push(`end ${event.event_id}`);
      all.push(event.event_id);
    });
    await appservice.fetch(putTransaction('1', { events: [message(1, '!a:x'), message(2, '!a:x'), message(3, '!b:x')] }));
    await appservice.fetch(putTransaction('2', { events: [message(4, '!a:x')] }));
    await started1.promise;
    // Room b is not held up by room a's slow handler.
    await otherRoom.promise;
    expect(log).toEqual(['start $e1', 'start $e3']);
    gates.get('$e3')!.resolve();
    gates.get('$e1')!.resolve();
    await all.done;
    const roomA = log.filter((l) => /\$e[124]$/.test(l));
    expect(roomA).toEqual(['start $e1', 'end $e1', 'start $e2', 'end $e2', 'start $e4', 'end $e4']);
  });

  it('a long backlog of synchronous handlers lets timers run in between, and keeps its order', async () => {
    appservice = await started();
    const seen: number[] = [];
    const all = collector<number>(2_500);
    appservice.on('m.room.message', (event) => {
      const n = Number(event.event_id.slice(2));
      seen.push(n);
      all.push(n);
    });
    const events = Array.from({ length: 2_500 }, (_, i) => message(i));
    expect((await appservice.fetch(putTransaction('long', { events }))).status).toBe(200);
    const atTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(seen.length), 0));
    await all.done;
    expect(atTimer).toBeGreaterThan(0);
    expect(atTimer).toBeLessThan(2_500);
    expect(seen).toEqual(events.map((_, i) => i));
  });

  it('no more handlers run at once than the concurrency cap', async () => {
    appservice = await started({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    const twoRunning = deferred();
    const release = deferred();
    const all = collector<string>(6);
    appservice.on('m.room.message', async (event) => {
      running++;
      peak = Math.max(peak, running);
      if (running === 2) twoRunning.resolve();
      await release.promise;
      running--;
      all.push(event.event_id);
    });
    const events = [1, 2, 3, 4, 5, 6].map((n) => message(n, `!r${n}:x`));
    await appservice.fetch(putTransaction('1', { events }));
    await twoRunning.promise;
    expect(appservice.inboxDepth).toBe(6);
    release.resolve();
    await all.done;
    expect(peak).toBe(2);
    await expect.poll(() => appservice!.inboxDepth).toBe(0);
  });

  it('to-device messages are queued per target device, ephemeral data per room', async () => {
    appservice = await started({ concurrency: 8 });
    const order: string[] = [];
    const hold = deferred();
    const done = collector<string>(4);
    appservice.on('toDevice', async ({ events }) => {
      const m = events[0]!;
      order.push(`start ${m.to_device_id} ${String(m.content['n'])}`);
      if (m.to_device_id === 'D1' && m.content['n'] === 1) await hold.promise;
      order.push(`end ${m.to_device_id} ${String(m.content['n'])}`);
      done.push(m.to_device_id);
    });
    const td = (device: string, n: number): Record<string, unknown> => ({ type: 'm.room_key_request', sender: '@a:x', to_user_id: '@_bridge_b:x', to_device_id: device, content: { n } });
    await appservice.fetch(putTransaction('1', { events: [], 'de.sorunome.msc2409.to_device': [td('D1', 1), td('D1', 2), td('D2', 1), td('D2', 2)] }));
    await expect.poll(() => order.includes('end D2 2')).toBe(true);
    expect(order.filter((o) => o.includes('D1'))).toEqual(['start D1 1']);
    hold.resolve();
    await done.done;
    expect(order.filter((o) => o.includes('D1'))).toEqual(['start D1 1', 'end D1 1', 'start D1 2', 'end D1 2']);
  });
});

describe('backpressure', () => {
  it('a transaction that does not fit is held until the inbox has room, then stored and acknowledged', async () => {
    const log: string[] = [];
    appservice = await started({ store: loggingStore(log), inboxLimit: 2 });
    const release = deferred();
    const firstRunning = deferred();
    appservice.on('m.room.message', async (event) => {
      if (event.event_id === '$e1') {
        firstRunning.resolve();
        await release.promise;
        log.push('released');
      }
    });
    expect((await appservice.fetch(putTransaction('1', { events: [message(1), message(2)] }))).status).toBe(200);
    await firstRunning.promise;
    const held = appservice.fetch(putTransaction('2', { events: [message(3)] }));
    release.resolve();
    expect((await held).status).toBe(200);
    // The held transaction reached the store only after the inbox made room.
    expect(log).toEqual(['accept 1 new', 'released', 'accept 2 new']);
  });

  it('a held transaction waits through the appservice\'s one sleep for its budget, and that wait is ended once the inbox has room', async () => {
    // The appservice's one wait, controlled here: it never elapses on its own.
    const { sleep, waits, begun } = controlledSleep();
    appservice = await started({ inboxLimit: 2, backpressureBudgetMs: 7_000, sleep });
    const release = deferred();
    const firstRunning = deferred();
    appservice.on('m.room.message', async (event) => {
      if (event.event_id === '$e1') {
        firstRunning.resolve();
        await release.promise;
      }
    });
    expect((await appservice.fetch(putTransaction('1', { events: [message(1), message(2)] }))).status).toBe(200);
    await firstRunning.promise;
    const held = appservice.fetch(putTransaction('2', { events: [message(3)] }));
    await begun(1);
    expect(waits.map((w) => w.ms)).toEqual([7_000]);
    expect(waits[0]!.signal?.aborted).toBe(false);
    release.resolve();
    expect((await held).status).toBe(200);
    expect(waits[0]!.signal?.aborted).toBe(true);
  });
  it('held past the budget it is answered 503 M_LIMIT_EXCEEDED with Retry-After, never 413, and a ping follows once it would fit', async () => {
    const pings: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      pings.push(new Request(input).url);
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const log: string[] = [];
    appservice = await started({ store: loggingStore(log), inboxLimit: 2, backpressureBudgetMs: 30, client: { fetch: fakeFetch } });
    const gates = new Map([['$e1', deferred()], ['$e2', deferred()]]);
    appservice.on('m.room.message', async (event) => gates.get(event.event_id)?.promise);
    await appservice.fetch(putTransaction('1', { events: [message(1, '!a:x'), message(2, '!b:x')] }));
    const refused = await appservice.fetch(putTransaction('2', { events: [message(3)] }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { errcode: string }).errcode).toBe('M_LIMIT_EXCEEDED');
    expect(log).toEqual(['accept 1 new']);
    expect(pings).toEqual([]);
    // One event done: the refused transaction (one event) would fit, though the inbox is not empty.
    gates.get('$e1')!.resolve();
    await expect.poll(() => pings).toEqual(['http://127.0.0.1:9/_matrix/client/v1/appservice/bridge/ping']);
    expect(appservice.inboxDepth).toBe(1);
    gates.get('$e2')!.resolve();
  });

  it('past the budget a transaction carrying ephemeral, to-device or MSC3202 data is taken over the limit, logged and counted; one of events only still gets 503', async () => {
    const warnings: string[] = [];
    const over: { txnId: string; items: number; depth: number }[] = [];
    const statuses: number[] = [];
    appservice = await started({
      inboxLimit: 2,
      backpressureBudgetMs: 30,
      logger: { debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} },
      metrics: { overLimit: (info) => void over.push(info) },
    });
    const gate = deferred();
    appservice.on('m.room.message', async () => gate.promise);
    const typing = deferred<string[]>();
    appservice.on('typing', ({ userIds }) => typing.resolve(userIds));
    await appservice.fetch(putTransaction('1', { events: [message(1, '!a:x'), message(2, '!b:x')] }));
    const onlyEvents = await appservice.fetch(putTransaction('2', { events: [message(3)] }));
    statuses.push(onlyEvents.status);
    const withTyping = await appservice.fetch(putTransaction('3', {
      events: [message(4)],
      ephemeral: [{ type: 'm.typing', room_id: '!c:x', content: { user_ids: ['@a:x'] } }],
    }));
    statuses.push(withTyping.status);
    const withKeys = await appservice.fetch(putTransaction('4', { events: [], 'org.matrix.msc3202.device_one_time_keys_count': { '@a:x': { D: { signed_curve25519: 1 } } } }));
    statuses.push(withKeys.status);
    expect(statuses).toEqual([503, 200, 200]);
    expect(over.map(({ txnId, items }) => [txnId, items])).toEqual([['3', 2], ['4', 1]]);
    expect(over.every(({ depth }) => depth >= 2)).toBe(true);
    expect(warnings.filter((w) => w.includes('over the limit'))).toHaveLength(2);
    expect(await typing.promise).toEqual(['@a:x']);
    gate.resolve();
  });

  it('a transaction larger than the limit is taken when the inbox is empty', async () => {
    appservice = await started({ inboxLimit: 1 });
    const done = collector<string>(3);
    appservice.on('m.room.message', (event) => done.push(event.event_id));
    expect((await appservice.fetch(putTransaction('1', { events: [message(1), message(2), message(3)] }))).status).toBe(200);
    await done.done;
  });
});

describe('failures', () => {
  it('a failing handler is retried with backoff, then dead-lettered; the room moves on; replay runs it again', async () => {
    const delays: number[] = [];
    const failures: string[] = [];
    appservice = await started({
      handlerRetry: { limit: 2, backoffBase: 100, backoffLimit: 1000 },
      sleep: async (ms) => void delays.push(ms),
      metrics: { handlerFailure: ({ attempt }) => void failures.push(`attempt ${attempt}`) },
    });
    let broken = true;
    const calls: string[] = [];
    const errors: string[] = [];
    appservice.on('error', ({ error }) => void errors.push((error as Error).message));
    const dead = deferred<string>();
    appservice.on('deadLetter', (letter) => dead.resolve(letter.id));
    const next = deferred();
    appservice.on('m.room.message', (event, { attempt }) => {
      calls.push(`${event.event_id}@${attempt}`);
      if (event.event_id === '$e2') next.resolve();
      if (event.event_id === '$e1' && broken) throw new Error('handler broke');
    });
    await appservice.fetch(putTransaction('1', { events: [message(1), message(2)] }));
    const id = await dead.promise;
    await next.promise;
    expect(calls).toEqual(['$e1@0', '$e1@1', '$e1@2', '$e2@0']);
    expect(delays).toEqual([100, 200]);
    expect(errors).toEqual(['handler broke', 'handler broke', 'handler broke']);
    expect(failures).toEqual(['attempt 0', 'attempt 1', 'attempt 2']);
    const letters = await appservice.deadLetters.list();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ id, txnId: '1', kind: 'event', queue: 'room:!room:example.org', attempts: 3, error: { message: 'handler broke' } });
    expect(await appservice.deadLetters.replay(id)).toBe(false);
    broken = false;
    expect(await appservice.deadLetters.replay(id)).toBe(true);
    expect(await appservice.deadLetters.list()).toEqual([]);
    expect(await appservice.deadLetters.discard(id)).toBe(false);
  });

  it('only the failed handler of an event is retried, not the ones that succeeded', async () => {
    appservice = await started({ handlerRetry: { limit: 3 }, sleep: noWait });
    const calls: string[] = [];
    let failures = 1;
    const done = deferred();
    appservice.on('m.room.message', () => void calls.push('ok'));
    appservice.on('m.room.message', () => {
      calls.push('flaky');
      if (failures-- > 0) throw new Error('once');
      done.resolve();
    });
    await appservice.fetch(putTransaction('1', { events: [message(1)] }));
    await done.promise;
    expect(calls).toEqual(['ok', 'flaky', 'flaky']);
  });

  it('a handler that throws never delays the 200', async () => {
    appservice = await started({ handlerRetry: { limit: 0 } });
    appservice.on('m.room.message', () => {
      throw new Error('always');
    });
    const dead = deferred();
    appservice.on('deadLetter', () => dead.resolve());
    expect((await appservice.fetch(putTransaction('1', { events: [message(1)] }))).status).toBe(200);
    await dead.promise;
    expect(await appservice.deadLetters.discard((await appservice.deadLetters.list())[0]!.id)).toBe(true);
  });
});

describe('payloads', () => {
  it('ephemeral data under the stable key reaches typing, receipt, presence and the event type handlers', async () => {
    appservice = await started();
    const seen: string[] = [];
    const all = collector<string>(4);
    appservice.on('typing', ({ roomId, userIds }) => all.push(`typing ${roomId} ${userIds.join(',')}`));
    appservice.on('receipt', ({ roomId }) => all.push(`receipt ${roomId}`));
    appservice.on('presence', ({ events }) => all.push(`presence ${events[0]!.content.presence}`));
    appservice.on('m.typing', (_event, { source, roomId }) => all.push(`m.typing ${source} ${String(roomId)}`));
    void seen;
    await appservice.fetch(
      putTransaction('1', {
        events: [],
        ephemeral: [
          { type: 'm.typing', room_id: '!r:x', content: { user_ids: ['@a:x'] } },
          { type: 'm.receipt', room_id: '!r:x', content: { $e: { 'm.read': { '@a:x': { ts: 1 } } } } },
          { type: 'm.presence', sender: '@a:x', content: { presence: 'online' } },
        ],
      }),
    );
    expect((await all.done).sort()).toEqual(['m.typing ephemeral !r:x', 'presence online', 'receipt !r:x', 'typing !r:x @a:x']);
  });

  it('ephemeral data under the unstable MSC2409 key is read when the stable one is absent', async () => {
    appservice = await started();
    const got = deferred<string>();
    appservice.on('typing', ({ userIds }) => got.resolve(userIds.join(',')));
    await appservice.fetch(putTransaction('1', { events: [], 'de.sorunome.msc2409.ephemeral': [{ type: 'm.typing', room_id: '!r:x', content: { user_ids: ['@b:x'] } }] }));
    expect(await got.promise).toBe('@b:x');
  });

  it('when both ephemeral keys come, the stable one is used and nothing is delivered twice', async () => {
    appservice = await started();
    const seen: string[] = [];
    const done = deferred();
    appservice.on('typing', ({ userIds }) => void seen.push(userIds.join(',')));
    appservice.on('m.room.message', () => done.resolve());
    const typing = { type: 'm.typing', room_id: '!r:x', content: { user_ids: ['@c:x'] } };
    await appservice.fetch(putTransaction('1', { events: [], ephemeral: [typing], 'de.sorunome.msc2409.ephemeral': [typing] }));
    await appservice.fetch(putTransaction('2', { events: [message(1, '!r:x')] }));
    await done.promise;
    expect(seen).toEqual(['@c:x']);
  });

  it('to-device messages, device lists, and one-time key counts under either spelling reach their handlers', async () => {
    appservice = await started();
    const got = collector<string>(6);
    appservice.on('toDevice', ({ events }) => got.push(`toDevice ${events[0]!.to_device_id}`));
    appservice.on('m.room_key_request', (_event, { source }) => got.push(`type ${source}`));
    appservice.on('deviceLists', ({ changed, left }) => got.push(`lists ${changed.join()} ${left.join()}`));
    appservice.on('otkCounts', ({ counts }) => got.push(`otk ${Object.keys(counts).join()}`));
    appservice.on('fallbackKeys', ({ types }) => got.push(`fallback ${Object.keys(types).join()}`));
    await appservice.fetch(
      putTransaction('1', {
        events: [],
        'de.sorunome.msc2409.to_device': [{ type: 'm.room_key_request', sender: '@a:x', to_user_id: '@_bridge_b:x', to_device_id: 'DEV', content: {} }],
        'org.matrix.msc3202.device_lists': { changed: ['@a:x'], left: ['@b:x'] },
        'org.matrix.msc3202.device_one_time_keys_count': { '@_bridge_b:x': { DEV: { signed_curve25519: 5 } } },
        'org.matrix.msc3202.device_unused_fallback_key_types': { '@_bridge_b:x': { DEV: ['signed_curve25519'] } },
      }),
    );
    await appservice.fetch(putTransaction('2', { events: [], 'org.matrix.msc3202.device_one_time_key_counts': { '@_bridge_c:x': { D2: { signed_curve25519: 1 } } } }));
    expect((await got.done).sort()).toEqual([
      'fallback @_bridge_b:x',
      'lists @a:x @b:x',
      'otk @_bridge_b:x',
      'otk @_bridge_c:x',
      'toDevice DEV',
      'type to_device',
    ]);
  });

  it('__proto__ keys of a body never reach an object prototype or a handler', async () => {
    appservice = await started();
    const got = deferred<Record<string, unknown>>();
    appservice.on('m.room.message', (event) => got.resolve(event.content as Record<string, unknown>));
    const text = '{"events":[{"type":"m.room.message","event_id":"$p","room_id":"!r:x","sender":"@a:x","origin_server_ts":1,"content":{"msgtype":"m.text","body":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}],"__proto__":{"polluted":true}}';
    expect((await appservice.fetch(putTransaction('1', text))).status).toBe(200);
    const content = await got.promise;
    expect(Object.prototype.hasOwnProperty.call(content, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(content)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const copy = Object.assign({}, content);
    expect((copy as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it.each([
    ['\\u005f_proto__'],
    ['_\\u005F\\u0070roto__'],
    ['__pr\\u006fto\\u005f_'],
  ])('a __proto__ key spelt with escapes (%s) is dropped too; constructor and prototype stay ordinary keys', async (key) => {
    appservice = await started();
    const got = deferred<Record<string, unknown>>();
    appservice.on('m.room.message', (event) => got.resolve(event.content as Record<string, unknown>));
    const text = `{"events":[{"type":"m.room.message","event_id":"$p","room_id":"!r:x","sender":"@a:x","origin_server_ts":1,"content":{"msgtype":"m.text","body":"x","${key}":{"polluted":true},"constructor":{"a":1},"prototype":2}}]}`;
    expect((await appservice.fetch(putTransaction('1', text))).status).toBe(200);
    const content = await got.promise;
    expect(Object.prototype.hasOwnProperty.call(content, '__proto__')).toBe(false);
    expect((Object.assign({}, content) as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(content)).toBe(Object.prototype);
    expect(content['constructor']).toEqual({ a: 1 });
    expect(content['prototype']).toBe(2);
  });
});
