/**
 * The in-memory state of the embedded stores over a long run: the dedupe index stays
 * within its `remember` window and a finished transaction leaves nothing behind.
 */
import { describe, expect, it } from 'vitest';
import { StoreState } from '../../src/appservice/store-state.js';
import type { InboxTransaction } from '../../src/index.js';

const ROOMS = 20;

/** Transaction `t` of 3 events, spread over the rooms. */
function txn(t: number): InboxTransaction {
  const eventIds = [0, 1, 2].map((i) => `$e${t}-${i}`);
  const events = eventIds.map((id, i) => ({ type: 'm.room.message', event_id: id, room_id: `!r${(t * 3 + i) % ROOMS}:example.org`, sender: '@a:example.org', origin_server_ts: 1, content: { msgtype: 'm.text', body: 'hi' } }));
  return { scope: 'bridge/abc', txnId: `t${t}`, contentHash: `h${t}`, eventIds, body: JSON.stringify({ events }), receivedAt: 1 };
}

/** Accepts transactions `from`..`to - 1` and marks every event of each done. */
function pushAndFinish(state: StoreState, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    const decision = state.decide(txn(t));
    expect(decision.result.status).toBe('new');
    state.applyAccept(decision.record!);
    state.applyDone(decision.result.key, [0, 1, 2], 3);
  }
}

describe('StoreState over many transactions', () => {
  it('holds at most `remember` transaction ids and event ids, and nothing of a finished transaction, however many it accepted', () => {
    const state = new StoreState(50);
    pushAndFinish(state, 0, 100);
    const after100 = state.sizes();
    pushAndFinish(state, 100, 2_000);
    expect(after100).toEqual({ seen: 50, events: 50, pending: 0, dead: 0 });
    expect(state.sizes()).toEqual({ seen: 50, events: 50, pending: 0, dead: 0 });
  });

  it('still dedupes the most recent `remember` transaction ids and event ids after a long run, and only those', () => {
    const state = new StoreState(60);
    pushAndFinish(state, 0, 2_000);
    // The last 60 transaction ids are remembered: a retry of one is a duplicate.
    expect(state.decide(txn(1_940)).result.status).toBe('duplicate');
    expect(state.decide(txn(1_999)).result.status).toBe('duplicate');
    // The last 60 event ids (those of the last 20 transactions) are skipped in another transaction.
    expect(state.decide({ ...txn(5_000), eventIds: ['$e1999-2', '$e1980-0', '$e1979-2'] }).result.skipped).toEqual([0, 1]);
    // Beyond the window, a transaction id is forgotten.
    expect(state.decide(txn(1_939)).result.status).toBe('new');
    expect(state.decide(txn(0)).result.status).toBe('new');
  });

  it('keeps an unfinished transaction pending until its last event is done', () => {
    const state = new StoreState(10);
    const decision = state.decide(txn(0));
    state.applyAccept(decision.record!);
    state.applyDone(decision.result.key, [0, 1], 3);
    expect(state.sizes().pending).toBe(1);
    state.applyDone(decision.result.key, [2], 3);
    expect(state.sizes().pending).toBe(0);
  });
});
