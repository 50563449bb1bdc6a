/**
 * Stores fail loudly: a corrupted or unreadable FileStore stops the sync loop
 * with `fatal` and a SyncStoreError naming the file, the server is never asked
 * for a batch, and the damaged file is left exactly as it was.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, isMatrixSdkError, isSyncStoreError, SyncStoreError, type FatalInfo } from '../../src/index.js';
import { FileStore } from '../../src/node.js';
import { RoomStateTracker } from '../../src/sync/state.js';
import { reply, startFakeServer, syncBody, type FakeServer } from './fake-server.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(): Promise<{ dir: string; server: FakeServer }> {
  const dir = await mkdtemp(join(tmpdir(), 'mf-store-fail-'));
  const server = await startFakeServer([reply(syncBody('s1'))]);
  cleanup.push(() => rm(dir, { recursive: true, force: true }), () => server.close());
  return { dir, server };
}

/** Starts a loop on the store and collects how it ended. */
async function runOn(server: FakeServer, dir: string): Promise<{ started: unknown; fatal: FatalInfo[]; failed: number; stopped: boolean }> {
  const client = createClient({ baseUrl: server.url, accessToken: 'tok', logger: silent, sync: { store: new FileStore(dir), timeout: 50 } });
  cleanup.push(() => client.sync.stop());
  const fatal: FatalInfo[] = [];
  let failed = 0;
  let stopped = false;
  client.on('fatal', (info) => void fatal.push(info));
  client.on('failed', () => void failed++);
  const stoppedEvent = new Promise<void>((resolve) => client.on('stopped', () => { stopped = true; resolve(); }));
  const started = await client.sync.start().then(() => 'resolved', (error: unknown) => error);
  await stoppedEvent;
  return { started, fatal, failed, stopped };
}

const positionFile = (dir: string) => join(dir, FileStore.fileName('sync.next_batch'));

describe('a FileStore that cannot be trusted', () => {
  it.each([
    ['a position file that is not JSON', 'sync.next_batch', '"s4', 'corrupted'],
    ['a position that is not a string', 'sync.next_batch', '{"s": 4}', 'corrupted'],
    ['a room index that is not a list', 'sync.rooms', '"!r:test"', 'corrupted'],
    ['a room state file cut short', 'sync.room.!r:test', '[["m.room.name", [["", {"type"', 'corrupted'],
  ] as const)('stops the loop with fatal naming the file, for %s, and writes nothing over it', async (_name, key, text, problem) => {
    const { dir, server } = await setup();
    // A consistent store except for the one damaged file.
    await writeFile(positionFile(dir), '"s3"');
    await writeFile(join(dir, FileStore.fileName(RoomStateTracker.indexKey('sync'))), '["!r:test"]');
    await writeFile(join(dir, FileStore.fileName(RoomStateTracker.roomKey('sync', '!r:test'))), '[]');
    const file = join(dir, FileStore.fileName(key));
    await writeFile(file, text);

    const { started, fatal, failed, stopped } = await runOn(server, dir);

    expect(isSyncStoreError(started)).toBe(true);
    expect(isMatrixSdkError(started)).toBe(true);
    expect(fatal).toHaveLength(1);
    const error = fatal[0]!.error as SyncStoreError;
    expect(error).toBe(started);
    expect(error.problem).toBe(problem);
    expect(error.location).toBe(file);
    expect(error.message).toContain(file);
    expect(fatal[0]!.softLogout).toBe(false);
    // The message names the file, never its contents.
    if (text.length > 4) expect(error.message).not.toContain(text.slice(0, 8));
    expect(error.cause).toBeUndefined();
    expect(failed).toBe(0);
    expect(stopped).toBe(true);
    expect(server.syncs).toHaveLength(0);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(await readFile(positionFile(dir), 'utf8')).toBe(key === 'sync.next_batch' ? text : '"s3"');
  });

  it('stops the loop with fatal naming the journal when a crash left a damaged journal', async () => {
    const { dir, server } = await setup();
    await writeFile(positionFile(dir), '"s3"');
    const journal = join(dir, 'journal.json');
    await writeFile(journal, '[["sync.next_batch", 1, "s4"]');

    const { started, fatal, failed } = await runOn(server, dir);

    expect(isSyncStoreError(started)).toBe(true);
    expect((started as SyncStoreError).location).toBe(journal);
    expect(fatal.map((f) => (f.error as Error).message)).toEqual([expect.stringContaining(journal)]);
    expect(failed).toBe(0);
    expect(server.syncs).toHaveLength(0);
    expect(await readFile(positionFile(dir), 'utf8')).toBe('"s3"');
    expect(await readFile(journal, 'utf8')).toBe('[["sync.next_batch", 1, "s4"]');
  });

  it('stops the loop with fatal naming the file when the position cannot be read', async () => {
    const { dir, server } = await setup();
    // A directory where the position file should be: reading it fails whoever runs the test.
    await mkdir(positionFile(dir));

    const { started, fatal } = await runOn(server, dir);

    expect(isSyncStoreError(started)).toBe(true);
    expect((started as SyncStoreError).problem).toBe('unreadable');
    expect((started as SyncStoreError).message).toContain(positionFile(dir));
    expect((started as SyncStoreError).message).toContain('EISDIR');
    expect(fatal).toHaveLength(1);
    expect(server.syncs).toHaveLength(0);
  });

  it('still starts afresh from an empty store, and resumes from a sound one', async () => {
    const { dir, server } = await setup();
    const first = createClient({ baseUrl: server.url, accessToken: 'tok', logger: silent, sync: { store: new FileStore(dir), timeout: 50 } });
    cleanup.push(() => first.sync.stop());
    await first.sync.start();
    await first.sync.stop();
    expect(JSON.parse(await readFile(positionFile(dir), 'utf8'))).toBe('s1');
    expect(server.syncs.map((s) => s.query.get('since'))[0]).toBeNull();

    const second = createClient({ baseUrl: server.url, accessToken: 'tok', logger: silent, sync: { store: new FileStore(dir), timeout: 50 } });
    cleanup.push(() => second.sync.stop());
    const before = server.syncs.length;
    await second.sync.start();
    expect(server.syncs[before]?.query.get('since')).toBe('s1');
  });
});
