/**
 * Transaction events under the opt-in validation: checked after the
 * transaction was stored and acknowledged; under `drop` an invalid event is
 * done without its handlers (the transaction completes, nothing is retried),
 * counted through `metrics.invalidEvent` and published as `invalid`, whose
 * handlers run under the concurrency cap and are waited for by `stop()`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAppserviceStore, type Appservice, type AppserviceInvalidEventInfo } from '../../src/index.js';
import { eventValidation } from '../../src/validation/index.js';
import { collector, deferred, HS_TOKEN, message, putTransaction, registration, started } from '../appservice/helpers.js';

let appservice: Appservice | undefined;
afterEach(async () => {
  await appservice?.stop({ deadlineMs: 100 });
  appservice = undefined;
});

const bad = { ...message(1), content: { msgtype: 'm.text' } };
const noRoom = { ...message(2), room_id: undefined };
const good = message(3);

describe('transaction events with validation on', () => {
  it('under drop, acknowledges the transaction, hands only valid events to the handlers, and completes it', async () => {
    const store = new MemoryAppserviceStore();
    const metrics: unknown[] = [];
    const warnings: string[] = [];
    const validate = eventValidation({ incoming: 'drop' });
    appservice = await started({
      store,
      validate,
      metrics: { invalidEvent: (info) => void metrics.push(info) },
      logger: { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} },
    });
    const seen: unknown[] = [];
    const invalid = collector<AppserviceInvalidEventInfo>(2);
    const delivered = collector<unknown>(1);
    appservice.on('m.room.message', (event) => {
      seen.push(event);
      delivered.push(event);
    });
    appservice.on('invalid', (info) => invalid.push(info));
    const reply = await appservice.fetch(putTransaction('t1', { events: [bad, noRoom, good] }));
    expect(reply.status).toBe(200);
    await Promise.all([invalid.done, delivered.done]);
    expect(seen).toEqual([good]);
    expect(invalid.values.map((i) => [i.kind, i.type, i.action, i.issues.map((x) => x.path)])).toEqual([
      ['event', 'm.room.message', 'dropped', ['content.body']],
      ['event', 'm.room.message', 'dropped', ['room_id']],
    ]);
    expect(metrics).toEqual([
      { queue: 'room:!room:example.org', kind: 'event', type: 'm.room.message', action: 'dropped', issues: 1 },
      expect.objectContaining({ kind: 'event', action: 'dropped', issues: 1 }),
    ]);
    expect(validate.counts.incomingDropped).toBe(2);
    expect(warnings.filter((w) => w.startsWith('Dropped an invalid "m.room.message" event from an application service transaction'))).toHaveLength(2);
    // Durable progress: every item is done, the dropped ones too, so nothing runs again after a restart.
    await appservice.stop({ deadlineMs: 1_000 });
    expect(await store.pending()).toEqual([]);
    expect(await store.deadLetters()).toEqual([]);
  });

  it('under warn, hands every event to the handlers and logs one line each', async () => {
    const warnings: string[] = [];
    appservice = await started({
      validate: eventValidation({ incoming: 'warn' }),
      logger: { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} },
    });
    const delivered = collector<unknown>(3);
    appservice.on('m.room.message', (event) => delivered.push(event));
    expect((await appservice.fetch(putTransaction('t1', { events: [bad, noRoom, good] }))).status).toBe(200);
    expect(await delivered.done).toEqual([bad, noRoom, good]);
    expect(warnings.filter((w) => w.startsWith('Delivering an invalid'))).toHaveLength(2);
  });

  it('checks what the appservice sends with the same validation', async () => {
    appservice = await started({ validate: eventValidation() });
    await expect(appservice.client.api.rooms('!r:example.org').send('m.room.message').put({ msgtype: 'm.text' } as never))
      .rejects.toMatchObject({ name: 'EventValidationError', issues: [{ path: 'content.body', expected: 'present', found: 'missing' }] });
  });

  it('scrubs the configured tokens out of its warning lines, as the client does', async () => {
    const warnings: string[] = [];
    appservice = await started({
      validate: eventValidation({ incoming: 'warn' }),
      logger: { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} },
    });
    const delivered = collector<unknown>(2);
    appservice.on('m.room.message', (event) => delivered.push(event));
    // An id field holding a token: the issue quotes an excerpt of it.
    const leaky = (n: number, token: string): unknown => ({ ...message(n), content: { msgtype: 'm.text', body: 'x', 'm.relates_to': { rel_type: 'm.thread', event_id: token } } });
    expect((await appservice.fetch(putTransaction('t1', { events: [leaky(4, HS_TOKEN), leaky(5, registration.as_token)] }))).status).toBe(200);
    await delivered.done;
    expect(warnings).toHaveLength(2);
    for (const line of warnings) {
      expect(line).toContain('event_id');
      expect(line).not.toContain(HS_TOKEN);
      expect(line).not.toContain(registration.as_token);
    }
  });

  it('acknowledges and completes a transaction when an invalid handler throws or rejects, reporting each failure as error', async () => {
    const store = new MemoryAppserviceStore();
    appservice = await started({ store, validate: eventValidation({ incoming: 'drop' }) });
    const errors = collector<unknown>(2);
    const delivered = collector<unknown>(1);
    appservice.on('error', ({ error }) => errors.push(error));
    appservice.on('invalid', () => {
      throw new Error('invalid handler threw');
    });
    appservice.on('invalid', async () => {
      throw new Error('invalid handler rejected');
    });
    appservice.on('m.room.message', (event) => delivered.push(event));
    expect((await appservice.fetch(putTransaction('t1', { events: [bad, good] }))).status).toBe(200);
    expect(await delivered.done).toEqual([good]);
    expect((await errors.done).map((e) => (e as Error).message)).toEqual(['invalid handler threw', 'invalid handler rejected']);
    await appservice.stop({ deadlineMs: 1_000 });
    expect(await store.pending()).toEqual([]);
  });
  it('stop() waits for a slow invalid handler, after the transaction was acknowledged without it', async () => {
    appservice = await started({ validate: eventValidation({ incoming: 'drop' }) });
    const entered = deferred();
    let finished = false;
    appservice.on('invalid', async () => {
      entered.resolve();
      // Slow: still running after stop() was called, and past the end of its synchronous part.
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished = true;
    });
    expect((await appservice.fetch(putTransaction('t1', { events: [bad] }))).status).toBe(200);
    await entered.promise;
    expect(finished).toBe(false);
    await appservice.stop({ deadlineMs: 5_000 });
    expect(finished).toBe(true);
  });

  it('stop() reports an invalid handler that outlives its deadline, and still resolves', async () => {
    const warnings: string[] = [];
    appservice = await started({
      validate: eventValidation({ incoming: 'drop' }),
      logger: { debug() {}, info() {}, warn: (m: string) => void warnings.push(m), error() {} },
    });
    const entered = deferred();
    appservice.on('invalid', () => {
      entered.resolve();
      return new Promise<void>(() => undefined);
    });
    expect((await appservice.fetch(putTransaction('t1', { events: [bad] }))).status).toBe(200);
    await entered.promise;
    // The handler below never returns: stop() ends at its deadline.
    await appservice.stop({ deadlineMs: 20 });
    expect(warnings.filter((w) => w.includes('did not finish within 20 ms'))).toHaveLength(1);
  });
  it('runs invalid handlers under the concurrency cap: no more at once than concurrency allows', async () => {
    appservice = await started({ validate: eventValidation({ incoming: 'drop' }), concurrency: 2 });
    const gate = deferred();
    const two = collector<number>(2);
    const all = collector<number>(4);
    let running = 0;
    let most = 0;
    appservice.on('invalid', async () => {
      running++;
      most = Math.max(most, running);
      two.push(running);
      await gate.promise;
      running--;
      all.push(running);
    });
    const events = [1, 2, 3, 4].map((n) => ({ ...message(n, `!r${n}:example.org`), content: { msgtype: 'm.text' } }));
    expect((await appservice.fetch(putTransaction('t1', { events }))).status).toBe(200);
    await two.done;
    gate.resolve();
    await all.done;
    expect(most).toBe(2);
  });
});
