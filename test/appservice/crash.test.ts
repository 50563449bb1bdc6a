/**
 * The file store under SIGKILL: a child accepting transactions as fast as it can is killed
 * mid-stream; a new store over its directory opens cleanly and holds every transaction the
 * child saw acknowledged.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FileAppserviceStore } from '../../src/node.js';

const CHILD = fileURLToPath(new URL('./fixtures/store-writer.ts', import.meta.url));
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mf-as-crash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the writer until it has printed `count` acks, then SIGKILLs it; answers every ack it printed. */
function runAndKill(count: number, prefix: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: string[] = [];
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('acked ')) acked.push(line.slice('acked '.length));
      if (acked.length >= count && child.signalCode === null) child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`the writer exited with ${code}`))));
  });
}

it.each([1, 2])('after a SIGKILL mid-write (run %i), every acknowledged transaction is there and the store opens cleanly', { timeout: 60_000 }, async () => {
  const first = await runAndKill(150, 'a');
  const store = new FileAppserviceStore(dir);
  await store.open();
  const pending = new Set((await store.pending()).map((p) => p.txnId));
  expect(first.filter((txnId) => !pending.has(txnId))).toEqual([]);
  // The store goes on from there, and a second crash loses nothing either.
  await store.close();
  const second = await runAndKill(100, 'b');
  const again = new FileAppserviceStore(dir);
  await again.open();
  const all = new Set((await again.pending()).map((p) => p.txnId));
  expect([...first, ...second].filter((txnId) => !all.has(txnId))).toEqual([]);
  await again.close();
});
