/**
 * The file store: what survives a crash (a new store over the same directory),
 * torn tails, damage, compaction; and the receiver resuming from it.
 */
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileAppserviceStore } from '../../src/node.js';
import type { DeadLetter, InboxTransaction } from '../../src/index.js';
import { deferred, makeAppservice, message, putTransaction } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mf-as-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A process id nobody has: kill(pid, 0) answers ESRCH. */
function deadPid(): number {
  for (let pid = 4_194_303; ; pid--) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as { code?: string }).code === 'ESRCH') return pid;
    }
  }
}

/** What a crash of the process holding the store leaves behind: its lock, of a process that is gone. */
async function crashed(): Promise<void> {
  await writeFile(join(dir, 'lock'), `${deadPid()}\n`);
}

function txn(txnId: string, eventIds: string[], scope = 'bridge/abc'): InboxTransaction {
  const body = JSON.stringify({ events: eventIds.map((id) => ({ ...message(id), event_id: id })) });
  return { scope, txnId, contentHash: `h-${eventIds.join('-')}`, eventIds, body, receivedAt: 1 };
}

describe('FileAppserviceStore', () => {
  it('an accepted transaction, its dedupe entry and its progress survive a new store over the directory', async () => {
    const store = new FileAppserviceStore(dir);
    await store.open();
    const accepted = await store.accept(txn('1', ['$a', '$b', '$c']));
    expect(accepted.status).toBe('new');
    await store.markDone(accepted.key, [0], 3);
    // Progress is written with the next synced record (or a moment later): flush, then die without closing.
    await store.flush();
    await crashed();
    const after = new FileAppserviceStore(dir);
    await after.open();
    const pending = await after.pending();
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ txnId: '1', done: [0] });
    expect((await after.accept(txn('1', ['$a', '$b', '$c']))).status).toBe('duplicate');
    expect((await after.accept(txn('1', ['$x']))).status).toBe('reset');
    const events = await after.accept(txn('2', ['$b', '$d']));
    expect(events).toMatchObject({ status: 'new', skipped: [0] });
    await after.close();
    await store.close();
  });

  it('a transaction handed over as its bytes is pending as its text, byte for byte, before and after a restart', async () => {
    const text = JSON.stringify({ events: [{ ...message('$ü'), event_id: '$ü', content: { body: 'héllo 🌍' } }] });
    const bytes = new TextEncoder().encode(text);
    const store = new FileAppserviceStore(dir);
    await store.open();
    let decoded = 0;
    const inbox: InboxTransaction = {
      scope: 'bridge/abc',
      txnId: 'b1',
      contentHash: 'h-b1',
      eventIds: ['$ü'],
      bodyBytes: bytes,
      receivedAt: 1,
      get body() {
        decoded++;
        return new TextDecoder().decode(bytes);
      },
    };
    expect((await store.accept(inbox)).status).toBe('new');
    // The store wrote and kept the bytes: it never asked for the text.
    expect(decoded).toBe(0);
    expect((await store.pending()).map((p) => p.body)).toEqual([text]);
    await store.close();
    const after = new FileAppserviceStore(dir);
    await after.open();
    expect((await after.pending()).map((p) => p.body)).toEqual([text]);
    await after.close();
  });

  it('a completed transaction is no longer pending after a restart, and dead letters stay until removed', async () => {
    const store = new FileAppserviceStore(dir);
    await store.open();
    const { key } = await store.accept(txn('1', ['$a', '$b']));
    const letter: DeadLetter = { id: `${key}#1`, txnId: '1', key, index: 1, kind: 'event', queue: 'room:!r', payload: { x: 1 }, error: { name: 'Error', message: 'no' }, attempts: 4, at: 5 };
    await store.deadLetter(letter);
    await store.markDone(key, [0, 1], 2);
    await store.close();
    const again = new FileAppserviceStore(dir);
    await again.open();
    expect(await again.pending()).toEqual([]);
    expect(await again.deadLetters()).toEqual([letter]);
    expect(await again.removeDeadLetter(letter.id)).toEqual(letter);
    await again.close();
    const third = new FileAppserviceStore(dir);
    await third.open();
    expect(await third.deadLetters()).toEqual([]);
    await third.close();
  });

  it('a torn last record (a crash mid-append) is dropped and cut off; the records before it are kept', async () => {
    const store = new FileAppserviceStore(dir);
    await store.open();
    await store.accept(txn('1', ['$a']));
    await store.accept(txn('2', ['$b']));
    await store.close();
    const path = join(dir, 'journal');
    const whole = (await stat(path)).size;
    const header = Buffer.alloc(12);
    header.writeUInt32LE(0x314a464d, 0);
    header.writeUInt32LE(5000, 4);
    await appendFile(path, Buffer.concat([header, Buffer.from('A{"s":"bri')]));
    const after = new FileAppserviceStore(dir);
    await after.open();
    expect((await after.pending()).map((p) => p.txnId)).toEqual(['1', '2']);
    expect((await stat(path)).size).toBe(whole);
    expect((await after.accept(txn('3', ['$c']))).status).toBe('new');
    await after.close();
    const third = new FileAppserviceStore(dir);
    await third.open();
    expect((await third.pending()).map((p) => p.txnId)).toEqual(['1', '2', '3']);
    await third.close();
  });

  it('damage before valid records stops open() with a clear error instead of losing transactions', async () => {
    const store = new FileAppserviceStore(dir);
    await store.open();
    await store.accept(txn('1', ['$a']));
    await store.accept(txn('2', ['$b']));
    await store.close();
    const path = join(dir, 'journal');
    const bytes = await readFile(path);
    bytes[20] = bytes[20]! ^ 0xff;
    await writeFile(path, bytes);
    await expect(new FileAppserviceStore(dir).open()).rejects.toThrow(/damaged at byte 0 .*refusing to start/);
  });

  it('a second store over a directory in use fails to open, naming the directory and the process; it opens once the first is closed', async () => {
    const first = new FileAppserviceStore(dir);
    await first.open();
    expect(await readFile(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    const second = new FileAppserviceStore(dir);
    await expect(second.open()).rejects.toThrow(`The application service store ${dir} is in use by process ${process.pid}`);
    const appservice = makeAppservice({ store: new FileAppserviceStore(dir) });
    await expect(appservice.start()).rejects.toThrow(`in use by process ${process.pid}`);
    await first.close();
    await expect(stat(join(dir, 'lock'))).rejects.toMatchObject({ code: 'ENOENT' });
    await second.open();
    await second.close();
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const gone = deadPid();
    await writeFile(join(dir, 'lock'), `${gone}\n`);
    const store = new FileAppserviceStore(dir);
    await store.open();
    expect(await readFile(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect((await store.accept(txn('1', ['$a']))).status).toBe('new');
    await store.close();
  });

  it('compaction keeps the journal small and loses nothing live', async () => {
    const store = new FileAppserviceStore(dir, { compactBytes: 8 * 1024, remember: 50 });
    await store.open();
    const keys: string[] = [];
    for (let i = 0; i < 200; i++) {
      const { key } = await store.accept(txn(`t${i}`, [`$e${i}`]));
      keys.push(key);
      if (i < 190) await store.markDone(key, [0], 1);
    }
    await store.flush();
    // Without compaction the journal would hold about 62 KB here.
    expect((await stat(join(dir, 'journal'))).size).toBeLessThan(20 * 1024);
    await store.close();
    const after = new FileAppserviceStore(dir, { compactBytes: 8 * 1024, remember: 50 });
    await after.open();
    expect((await after.pending()).map((p) => p.txnId)).toEqual(Array.from({ length: 10 }, (_, i) => `t${190 + i}`));
    expect((await after.accept(txn('t185', ['$e185']))).status).toBe('duplicate');
    expect((await after.accept(txn('t300', ['$e197']))).skipped).toEqual([0]);
    await after.close();
  });

  it('compaction also happens under steady load, and keeps the progress of transactions in flight', async () => {
    const store = new FileAppserviceStore(dir, { compactBytes: 8 * 1024, remember: 50 });
    await store.open();
    for (let round = 0; round < 30; round++) {
      const accepted = await Promise.all(Array.from({ length: 10 }, (_, i) => store.accept(txn(`r${round}-${i}`, [`$r${round}-${i}a`, `$r${round}-${i}b`]))));
      // Every transaction but the last of each round is finished; the last one has half its events done.
      await Promise.all(accepted.map(({ key }, i) => store.markDone(key, i === 9 ? [0] : [0, 1], 2)));
    }
    await store.flush();
    // Compacting only when no write was queued left about 55 KB here.
    expect((await stat(join(dir, 'journal'))).size).toBeLessThan(40 * 1024);
    await crashed();
    const after = new FileAppserviceStore(dir, { compactBytes: 8 * 1024, remember: 50 });
    await after.open();
    const pending = await after.pending();
    expect(pending.map((p) => p.txnId)).toEqual(Array.from({ length: 30 }, (_, round) => `r${round}-9`));
    expect(pending.every((p) => p.done.length === 1 && p.done[0] === 0)).toBe(true);
    await after.close();
    await store.close();
  });

  it('concurrent accepts share syncs and each resolves after its record is written', async () => {
    const store = new FileAppserviceStore(dir);
    await store.open();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.accept(txn(`c${i}`, [`$c${i}`]))));
    expect(results.every((r) => r.status === 'new')).toBe(true);
    const twice = await Promise.all([store.accept(txn('d', ['$d'])), store.accept(txn('d', ['$d']))]);
    expect(twice.map((r) => r.status)).toEqual(['new', 'duplicate']);
    await crashed();
    const after = new FileAppserviceStore(dir);
    await after.open();
    expect(await after.pending()).toHaveLength(21);
    await after.close();
    await store.close();
  });
});

describe('the receiver over the file store', () => {
  it('after a crash mid-transaction, a restart runs only the events not yet handled', async () => {
    const store = new FileAppserviceStore(dir);
    const progressWritten = deferred();
    const markDone = store.markDone.bind(store);
    store.markDone = async (key, indexes, count) => {
      await markDone(key, indexes, count);
      if (indexes.includes(1)) {
        await store.flush();
        progressWritten.resolve();
      }
    };
    const first = makeAppservice({ store });
    await first.start();
    const firstSeen: string[] = [];
    first.on('m.room.message', async (event) => {
      firstSeen.push(event.event_id);
      if (event.event_id === '$e3') await new Promise(() => {}); // the process dies in this handler
    });
    expect((await first.fetch(putTransaction('1', { events: [message(1), message(2), message(3)] }))).status).toBe(200);
    await progressWritten.promise;
    expect(firstSeen).toEqual(['$e1', '$e2', '$e3']);

    await crashed();
    const second = makeAppservice({ store: new FileAppserviceStore(dir) });
    const secondSeen: string[] = [];
    const done = deferred();
    second.on('m.room.message', (event) => {
      secondSeen.push(event.event_id);
      done.resolve();
    });
    const resumed = deferred<number>();
    second.on('ready', ({ resumed: n }) => resumed.resolve(n));
    await second.start();
    expect(await resumed.promise).toBe(1);
    await done.promise;
    expect(secondSeen).toEqual(['$e3']);
    // The homeserver retries the transaction it may not have seen answered: nothing runs twice.
    expect((await second.fetch(putTransaction('1', { events: [message(1), message(2), message(3)] }))).status).toBe(200);
    await second.stop();
    const third = new FileAppserviceStore(dir);
    await third.open();
    expect(await third.pending()).toEqual([]);
    await third.close();
  });
});
