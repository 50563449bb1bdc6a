/**
 * Crash safety: a child process syncing with a file store is killed with
 * SIGKILL inside a handler, restarted, and gets the uncommitted batch again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { message, sendJson, startFakeServer, syncBody, type FakeHandler } from './fake-server.js';
import { ENGINES } from '../transport/engines.js';

const CHILD = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
const room = '!r:test';
const batches: Record<string, { next: string; bodies: string[] }> = {
  '': { next: 's1', bodies: ['one'] },
  s1: { next: 's2', bodies: ['two', 'three'] },
  s2: { next: 's3', bodies: ['four'] },
};

/** Answers by `since`; past the script it holds the long poll. */
const bySince: FakeHandler = (req, res) => {
  const batch = batches[req.query.get('since') ?? ''];
  if (batch === undefined) return;
  sendJson(res, 200, syncBody(batch.next, {
    join: { [room]: { timeline: { events: batch.bodies.map((b) => message(b, '@a:test', `$${b}`)) } } },
  }));
};

function run(env: Record<string, string>): { child: ChildProcess; lines: string[]; waitFor(line: string): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.line === line)) w.resolve();
    }
  });
  return {
    child,
    lines,
    waitFor: (line) => (lines.includes(line) ? Promise.resolve() : new Promise((resolve) => waiters.push({ line, resolve }))),
  };
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe.each(ENGINES)('on the %s engine', (engine) => {
  describe('crash safety', () => {
    it('redelivers the batch a SIGKILL interrupted, losing nothing', async () => {
      const server = await startFakeServer([bySince]);
      const dir = await mkdtemp(join(tmpdir(), 'mf-crash-'));
      cleanup.push(() => server.close(), () => rm(dir, { recursive: true, force: true }));
      const env = { SYNC_BASE_URL: server.url, SYNC_STORE_DIR: dir, SYNC_ENGINE: engine };

      const first = run({ ...env, CRASH_ON: 'three' });
      cleanup.push(() => kill(first.child));
      await first.waitFor('crashing three');
      await kill(first.child);
      expect(first.child.signalCode).toBe('SIGKILL');
      expect(first.lines).toEqual(['handled one', 'handled two', 'crashing three']);
      // Batch 1 was committed; batch 2 was not.
      expect(JSON.parse(await readFile(join(dir, 'sync%2Enext_batch.json'), 'utf8'))).toBe('s1');

      const second = run({ ...env, CRASH_ON: '' });
      cleanup.push(() => kill(second.child));
      await second.waitFor('handled four');
      await server.waitForSync(5); // the long poll after the last batch: s3 was committed
      await kill(second.child);
      expect(second.lines).toEqual(['handled two', 'handled three', 'handled four']);

      const sinces = server.syncs.map((s) => s.query.get('since'));
      expect(sinces.slice(0, 2)).toEqual([null, 's1']);
      expect(sinces.slice(2, 5)).toEqual(['s1', 's2', 's3']);
      const delivered = new Set([...first.lines, ...second.lines].filter((l) => l.startsWith('handled ')).map((l) => l.slice(8)));
      expect([...delivered].sort()).toEqual(['four', 'one', 'three', 'two']);
    }, 60_000);
  });
});
