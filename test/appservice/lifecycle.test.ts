/**
 * start() and stop(): the ping and its outcome, resuming the store, draining
 * against a deadline, refusing pushes while stopping.
 */
import { describe, expect, it } from 'vitest';
import { MemoryAppserviceStore, type AppserviceReadyInfo } from '../../src/index.js';
import { controlledSleep, deferred, makeAppservice, message, putTransaction, started } from './helpers.js';

/** A fetch that answers the ping with the given statuses in turn, logging each request. */
function pingServer(statuses: number[], log: string[]): typeof fetch {
  let n = 0;
  return async (input, init) => {
    const request = new Request(input, init);
    log.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
    const status = statuses[Math.min(n++, statuses.length - 1)]!;
    const body = status === 200 ? {} : { errcode: 'M_CONNECTION_FAILED', error: 'nope' };
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
}

describe('start()', () => {
  it('pings the homeserver with retries and reports the outcome through ready and its result', async () => {
    const log: string[] = [];
    const delays: number[] = [];
    const appservice = makeAppservice({
      pingOnStart: true,
      client: { fetch: pingServer([502, 502, 200], log) },
      sleep: async (ms) => void delays.push(ms),
    });
    const ready = deferred<AppserviceReadyInfo>();
    appservice.on('ready', (info) => ready.resolve(info));
    const outcome = await appservice.start();
    expect(outcome).toMatchObject({ ok: true, attempts: 3 });
    expect((await ready.promise).ping).toEqual(outcome);
    expect(log).toHaveLength(3);
    expect(log[0]).toMatch(/^POST \/_matrix\/client\/v1\/appservice\/bridge\/ping \{"transaction_id":"mf\.ping\./);
    expect(delays).toEqual([1000, 2000]);
    expect(appservice.state).toBe('running');
    await appservice.stop();
  });

  it('a ping that keeps failing is reported, not fatal: the receiver runs', async () => {
    const warnings: string[] = [];
    const appservice = makeAppservice({
      pingOnStart: true,
      client: { fetch: pingServer([502], []) },
      sleep: async () => undefined,
      logger: { debug() {}, info() {}, warn: (m) => void warnings.push(m), error() {} },
    });
    const outcome = await appservice.start();
    expect(outcome).toMatchObject({ ok: false, attempts: 3 });
    expect(warnings.some((w) => w.includes('ping'))).toBe(true);
    expect((await appservice.fetch(putTransaction('1', { events: [] }))).status).toBe(200);
    await appservice.stop();
  });

  it('a store that cannot be opened rejects start() and publishes fatal', async () => {
    const store = new MemoryAppserviceStore();
    store.open = async () => {
      throw new Error('journal damaged');
    };
    const appservice = makeAppservice({ store });
    const fatal = deferred<unknown>();
    appservice.on('fatal', ({ error }) => fatal.resolve(error));
    await expect(appservice.start()).rejects.toThrow('journal damaged');
    expect(((await fatal.promise) as Error).message).toBe('journal damaged');
    expect(appservice.state).toBe('stopped');
  });
});

describe('stop()', () => {
  it('answers new pushes 503 while draining, stops at the deadline, and what did not finish runs after the next start', async () => {
    const store = new MemoryAppserviceStore();
    const appservice = await started({ store });
    const stuck = deferred();
    const release = deferred();
    const seen: string[] = [];
    appservice.on('m.room.message', async (event) => {
      seen.push(event.event_id);
      if (event.event_id === '$e2') {
        stuck.resolve();
        await release.promise;
      }
    });
    await appservice.fetch(putTransaction('1', { events: [message(1), message(2), message(3)] }));
    await stuck.promise;
    const stopping = appservice.stop({ deadlineMs: 50 });
    expect(appservice.state).toBe('stopping');
    const refused = await appservice.fetch(putTransaction('2', { events: [message(4)] }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    const stopped = deferred();
    appservice.on('stopped', () => stopped.resolve());
    await stopping;
    await stopped.promise;
    expect(appservice.state).toBe('stopped');
    release.resolve();
    expect(seen).toEqual(['$e1', '$e2']);

    const again = makeAppservice({ store });
    const resumed: string[] = [];
    const done = deferred();
    again.on('m.room.message', (event) => {
      resumed.push(event.event_id);
      if (event.event_id === '$e3') done.resolve();
    });
    await again.start();
    await done.promise;
    expect(resumed).toEqual(['$e2', '$e3']);
    await again.stop();
  });

  it('a start() after a stop() that hit its deadline waits for the handlers still running, so no item runs twice at once', async () => {
    const warnings: string[] = [];
    const waiting = deferred();
    const appservice = await started({
      logger: { debug() {}, info() {}, error() {}, warn: (m) => { warnings.push(m); if (m.includes('previous run')) waiting.resolve(); } },
    });
    const log: string[] = [];
    const inFirst = deferred();
    const release = deferred();
    const secondCall = deferred();
    const secondDone = deferred();
    let calls = 0;
    appservice.on('m.room.message', async () => {
      const call = ++calls;
      log.push(`start ${call}`);
      if (call === 1) {
        inFirst.resolve();
        await release.promise;
      } else {
        secondCall.resolve();
      }
      log.push(`end ${call}`);
      if (call === 2) secondDone.resolve();
    });
    await appservice.fetch(putTransaction('1', { events: [message(1)] }));
    await inFirst.promise;
    await appservice.stop({ deadlineMs: 10 });
    const restarted = appservice.start();
    // Either the restart runs the item again while its first run is in it, or it says it waits.
    await Promise.race([secondCall.promise, waiting.promise]);
    release.resolve();
    await restarted;
    await secondDone.promise;
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
    await appservice.stop();
  });

  it('a start() whose previous run left a handler that never finishes gives up at the stop() deadline with a clear error', async () => {
    // The appservice's one wait, controlled here: the deadline passes when the test says so.
    const { sleep, waits, begun } = controlledSleep();
    const appservice = await started({ sleep });
    const inHandler = deferred();
    const release = deferred();
    appservice.on('m.room.message', async () => {
      inHandler.resolve();
      await release.promise;
    });
    await appservice.fetch(putTransaction('1', { events: [message(1)] }));
    await inHandler.promise;
    // stop()'s deadline is the same wait.
    const stopping = appservice.stop({ deadlineMs: 10 });
    await begun(1);
    expect(waits.map((w) => w.ms)).toEqual([10]);
    waits[0]!.elapse();
    await stopping;

    const fatal = deferred<unknown>();
    appservice.on('fatal', ({ error }) => fatal.resolve(error));
    const restart = appservice.start();
    await begun(2);
    expect(waits.map((w) => w.ms)).toEqual([10, 10_000]);
    waits[1]!.elapse();
    await expect(restart).rejects.toThrow(
      '1 handler(s) of the previous run did not finish within 10000 ms (the stop() deadline): the application service was not started, so that no item runs twice at once',
    );
    expect(await fatal.promise).toBeInstanceOf(Error);
    expect(appservice.state).toBe('stopped');

    // Once the handler has finished, a start goes through, and its wait was ended, not left to run out.
    release.resolve();
    await expect(appservice.start()).resolves.toMatchObject({ skipped: true });
    expect(appservice.state).toBe('running');
    await appservice.stop();
  });

  it('waits for running handlers when they finish before the deadline', async () => {
    const appservice = await started();
    const running = deferred();
    let finished = false;
    appservice.on('m.room.message', async () => {
      running.resolve();
      await Promise.resolve();
      finished = true;
    });
    await appservice.fetch(putTransaction('1', { events: [message(1)] }));
    await running.promise;
    await appservice.stop({ deadlineMs: 5_000 });
    expect(finished).toBe(true);
  });
  it('ends its deadline wait as soon as the handlers are done: the wait is the appservice\'s one sleep, aborted, no timer left', async () => {
    // The appservice's one wait, controlled here: it never elapses on its own.
    const { sleep, waits, begun } = controlledSleep();
    const appservice = await started({ sleep });
    const inHandler = deferred();
    const release = deferred();
    appservice.on('m.room.message', async () => {
      inHandler.resolve();
      await release.promise;
    });
    await appservice.fetch(putTransaction('1', { events: [message(1)] }));
    await inHandler.promise;
    const stopping = appservice.stop({ deadlineMs: 1_000 });
    await Promise.race([begun(1), stopping]);
    expect(waits.map((w) => w.ms)).toEqual([1_000]);
    expect(waits[0]!.signal?.aborted).toBe(false);
    release.resolve();
    await stopping;
    expect(appservice.state).toBe('stopped');
    expect(waits[0]!.signal?.aborted).toBe(true);
  });
});
