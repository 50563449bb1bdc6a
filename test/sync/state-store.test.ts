/**
 * The room state tracker (hostile keys included) and the stores.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RoomStateTracker } from '../../src/sync/state.js';
import { MemoryStore, type SyncStore } from '../../src/sync/store.js';
import { FileStore } from '../../src/sync/file-store.js';
import { EVENT_KINDS, STATE_EVENT_TYPES, type EventContentMap, type MatrixEvent } from '../../src/events/index.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mf-sync-'));
  dirs.push(dir);
  return dir;
}

function ev(type: string, stateKey: string, content: Record<string, unknown>): Record<string, unknown> {
  return { type, state_key: stateKey, content, event_id: `$${type}/${stateKey}`, sender: '@a:test', origin_server_ts: 1 };
}

const HOSTILE = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];

describe('RoomStateTracker', () => {
  it('keeps the latest event per type and state key, skipping non-state events', () => {
    const t = new RoomStateTracker();
    t.apply('!r', ev('m.room.name', '', { name: 'A' }));
    t.apply('!r', ev('m.room.name', '', { name: 'B' }));
    t.apply('!r', ev('m.room.member', '@a:test', { membership: 'join' }));
    t.apply('!r', ev('m.room.member', '@b:test', { membership: 'invite' }));
    expect(t.apply('!r', { type: 'm.room.message', content: { body: 'x' } })).toBe(false);
    expect(t.apply('!r', null)).toBe(false);
    expect(t.getState('!r', 'm.room.name')?.content.name).toBe('B');
    expect(t.getAllStateForType('!r', 'm.room.member').map((e) => e.state_key)).toEqual(['@a:test', '@b:test']);
    expect(t.getState('!r', 'm.room.message')).toBeUndefined();
    expect(t.getState('!other', 'm.room.name')).toBeUndefined();
    t.forget('!r');
    expect(t.hasRoom('!r')).toBe(false);
    expect(t.getAllStateForType('!r', 'm.room.member')).toEqual([]);
  });

  it('treats __proto__, constructor and friends as ordinary keys (no prototype is touched)', async () => {
    const t = new RoomStateTracker();
    for (const key of HOSTILE) {
      t.apply(key, ev(key, key, { polluted: true }));
      t.apply('!r', ev(key, '', { polluted: true }));
      t.apply('!r', ev('m.room.member', key, { membership: 'join' }));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    for (const key of HOSTILE) {
      expect(t.getState(key, key, key)?.content).toEqual({ polluted: true });
      expect(t.getState('!r', key)?.content).toEqual({ polluted: true });
      expect(t.getState('!r', 'm.room.member', key)?.content.membership).toBe('join');
      // Lookups of absent keys do not fall through to Object.prototype members.
      expect(t.getState('!none', key, key)).toBeUndefined();
      expect(t.getState('!r', 'm.room.topic', key)).toBeUndefined();
    }
    expect(t.getAllStateForType('!r', 'm.room.member')).toHaveLength(HOSTILE.length);

    // Persisted and read back through both stores, still ordinary keys.
    for (const store of [new MemoryStore(), new FileStore(await tempDir())] as SyncStore[]) {
      await store.write(t.pendingChanges('sync'));
      const back = new RoomStateTracker();
      await back.load(store, 'sync');
      for (const key of HOSTILE) {
        expect(back.getState(key, key, key)?.content).toEqual({ polluted: true });
        expect(back.getState('!r', 'm.room.member', key)?.content.membership).toBe('join');
      }
      expect(back.roomIds().sort()).toEqual([...HOSTILE, '!r'].sort());
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('writes only the rooms changed since the last commit', () => {
    const t = new RoomStateTracker();
    t.apply('!a', ev('m.room.name', '', { name: 'A' }));
    t.apply('!b', ev('m.room.name', '', { name: 'B' }));
    expect([...t.pendingChanges('p').keys()].sort()).toEqual(['p.room.!a', 'p.room.!b', 'p.rooms']);
    t.committed();
    t.apply('!b', ev('m.room.topic', '', { topic: 'T' }));
    expect([...t.pendingChanges('p').keys()]).toEqual(['p.room.!b']);
    t.committed();
    t.forget('!a');
    const changes = t.pendingChanges('p');
    expect(changes.has('p.room.!a') && changes.get('p.room.!a') === undefined).toBe(true);
    expect(changes.get('p.rooms')).toEqual(['!b']);
  });
});

describe('FileStore', () => {
  it('stores JSON values by key, one file each, with no temporary files left', async () => {
    const dir = await tempDir();
    const store = new FileStore(join(dir, 'nested', 'state'));
    await store.set('sync.next_batch', 's1');
    await store.set('obj', { a: [1, 2] });
    expect(await store.get('sync.next_batch')).toBe('s1');
    expect(await store.get('obj')).toEqual({ a: [1, 2] });
    expect(await store.get('missing')).toBeUndefined();
    await store.delete('obj');
    expect(await store.get('obj')).toBeUndefined();
    expect(await readdir(join(dir, 'nested', 'state'))).toEqual(['sync%2Enext_batch.json']);
    // Another instance reads the same data.
    expect(await new FileStore(join(dir, 'nested', 'state')).get('sync.next_batch')).toBe('s1');
  });

  it('keeps every key inside its directory', async () => {
    const dir = await tempDir();
    const store = new FileStore(join(dir, 's'));
    for (const key of ['../escape', '..', '/etc/passwd', 'a/b', '__proto__', 'x'.repeat(500), 'ünïcødé']) {
      await store.set(key, key);
      expect(await store.get(key)).toBe(key);
    }
    expect(await readdir(dir)).toEqual(['s']);
    for (const name of await readdir(join(dir, 's'))) expect(name).toMatch(/^[A-Za-z0-9_%-]+\.json$|^h-[0-9a-f]{64}\.json$/);
  });

  it('applies a multi-key write all at once, and replays a journal left by a crash', async () => {
    const dir = await tempDir();
    const store = new FileStore(dir);
    await store.set('gone', 1);
    await store.write(new Map<string, unknown>([['a', 1], ['b', { c: 2 }], ['gone', undefined]]));
    expect(await store.get('a')).toBe(1);
    expect(await store.get('gone')).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'b.json']);
    // A crash after the journal was written and before the files were: the next open applies it.
    await writeFile(join(dir, 'journal.json'), JSON.stringify([['a', 1, 'new'], ['b', 0], ['n', 1, null]]));
    const reopened = new FileStore(dir);
    expect(await reopened.get('a')).toBe('new');
    expect(await reopened.get('b')).toBeUndefined();
    expect(await reopened.get('n')).toBeNull();
    expect((await readdir(dir)).sort()).toEqual(['a.json', 'n.json']);
    expect(JSON.parse(await readFile(join(dir, 'a.json'), 'utf8'))).toBe('new');
  });
});

describe('generated event types', () => {
  it('maps event types to their kinds and knows the state events', () => {
    expect(STATE_EVENT_TYPES.has('m.room.name')).toBe(true);
    expect(STATE_EVENT_TYPES.has('m.room.member')).toBe(true);
    expect(STATE_EVENT_TYPES.has('m.room.message')).toBe(false);
    expect(EVENT_KINDS['m.room.message']).toBe('room');
    expect(EVENT_KINDS['m.typing']).toBe('other');
    expect(Object.keys(EVENT_KINDS).length).toBeGreaterThan(60);
  });

  it('types event content from the spec', () => {
    const member: MatrixEvent<'m.room.member'> = {
      type: 'm.room.member',
      state_key: '@a:test',
      event_id: '$e',
      sender: '@a:test',
      origin_server_ts: 1,
      content: { membership: 'join', displayname: 'A' },
    };
    const name: EventContentMap['m.room.name'] = { name: 'Room' };
    // @ts-expect-error membership must be one of the spec's values
    const bad: EventContentMap['m.room.member'] = { membership: 'joined' };
    const text: EventContentMap['m.room.message'] = { msgtype: 'm.text', body: 'hi', format: 'org.matrix.custom.html', formatted_body: '<b>hi</b>' };
    expect([member.state_key, name.name, bad, text.msgtype]).toHaveLength(4);
  });
});
