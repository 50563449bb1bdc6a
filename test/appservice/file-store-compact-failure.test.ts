/**
 * The file store when a compaction fails after its rename: the store stops
 * acknowledging instead of writing into the unlinked old journal.
 */
import * as realFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboxTransaction } from '../../src/index.js';

const seam = vi.hoisted(() => ({ failDirectorySync: undefined as string | undefined, directorySyncs: 0 }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const open: typeof real.open = (async (path: Parameters<typeof real.open>[0], flags?: Parameters<typeof real.open>[1], mode?: Parameters<typeof real.open>[2]) => {
    if (seam.failDirectorySync !== undefined && path === seam.failDirectorySync && flags === 'r') {
      seam.directorySyncs++;
      throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    }
    return real.open(path, flags, mode);
  }) as typeof real.open;
  return { ...real, default: { ...real, open }, open };
});

const { FileAppserviceStore } = await import('../../src/node.js');

let dir: string;
beforeEach(async () => {
  dir = await realFs.mkdtemp(join(tmpdir(), 'mf-as-compact-'));
  seam.failDirectorySync = undefined;
  seam.directorySyncs = 0;
});
afterEach(async () => {
  seam.failDirectorySync = undefined;
  await realFs.rm(dir, { recursive: true, force: true });
});

function txn(txnId: string): InboxTransaction {
  const body = JSON.stringify({ events: [{ type: 'm.room.message', event_id: `$${txnId}`, room_id: '!r:x', sender: '@a:x', origin_server_ts: 1, content: { body: 'x'.repeat(200) } }] });
  return { scope: 'bridge/abc', txnId, contentHash: `h-${txnId}`, eventIds: [`$${txnId}`], body, receivedAt: 1 };
}

describe('FileAppserviceStore compaction failures', () => {
  it('a directory sync that fails after the compaction rename breaks the store: later accepts are refused, not acknowledged into the old journal', async () => {
    const store = new FileAppserviceStore(dir, { compactBytes: 4 * 1024 });
    await store.open();
    seam.failDirectorySync = dir;
    const acknowledged: string[] = [];
    let refusal: unknown;
    for (let i = 0; i < 200 && refusal === undefined; i++) {
      await store.accept(txn(`t${i}`)).then(
        () => acknowledged.push(`t${i}`),
        (error: unknown) => (refusal = error),
      );
    }
    expect(seam.directorySyncs).toBe(1);
    expect(String(refusal)).toMatch(/failed to sync its directory/);
    await expect(store.accept(txn('after'))).rejects.toThrow(/failed to sync its directory/);
    seam.failDirectorySync = undefined;
    await store.close();
    // Everything acknowledged is in the journal under its name.
    const after = new FileAppserviceStore(dir, { compactBytes: 4 * 1024 });
    await after.open();
    expect((await after.pending()).map((p) => p.txnId)).toEqual(acknowledged);
    await after.close();
  });
});
