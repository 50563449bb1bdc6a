/**
 * Crash loops: a FileStore bot (a child process running the sync loop) is
 * SIGKILLed at random points, 100 times, while the local server streams it
 * thousands of events; a last run catches up. Every event must reach a handler
 * at least once, and an event may reach one twice only when it was in the
 * batch a killed run was handling (not yet committed).
 *
 * Scaled to fit about a minute on a loaded two-core machine: the child is
 * bundled once with esbuild (so a start costs a plain `node` start, not a
 * TypeScript loader), the next run's process is started while the current one
 * works (it waits for a word on stdin before it opens the store), the server
 * produces 400 events a second while the kills go on (a few thousand in all,
 * in about 15 s), and each run is killed at a random moment: while it opens
 * the store and asks its first batch, or 0 to 120 ms after it handled its
 * first event (inside a handler, between batches, or in the middle of a
 * commit's journal write).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startFakeServer, type FakeServer } from './fake-server.js';

const CHILD_SOURCE = fileURLToPath(new URL('./fixtures/crash-loop-child.ts', import.meta.url));
const KILLS = 100;
const EVENTS_PER_S = 400;
const BATCH_MAX = 50;
const ROOMS = ['!a:test', '!b:test', '!c:test'];

let work: string;
let childScript: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'mf-crash-loop-'));
  childScript = join(work, 'child.mjs');
  await build({
    entryPoints: [CHILD_SOURCE],
    outfile: childScript,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // Bundled CommonJS dependencies call require() for Node's modules.
    banner: { js: "import { createRequire as __mfRequire } from 'node:module'; const require = __mfRequire(import.meta.url);" },
  });
}, 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Event n of the stream: a message, or every tenth a topic change (a state event, so the commit goes through the journal). */
function eventAt(n: number): Record<string, unknown> {
  const common = { event_id: `$e${n}`, sender: '@producer:test', origin_server_ts: n };
  return n % 10 === 9
    ? { ...common, type: 'm.room.topic', state_key: '', content: { topic: `topic ${n}` } }
    : { ...common, type: 'm.room.message', content: { msgtype: 'm.text', body: `message ${n}` } };
}

/** The streaming server: `since` is `s<n>`, the index of the next event; a long poll waits for new events. */
async function startStream(): Promise<{ server: FakeServer; produced: () => number; stop: () => void; syncsByRun: Map<string, string[]> }> {
  const started = Date.now();
  let produced = 0;
  let producing = true;
  const waiters = new Set<() => void>();
  const syncsByRun = new Map<string, string[]>();
  const producer = setInterval(() => {
    if (!producing) return;
    produced = Math.floor(((Date.now() - started) / 1000) * EVENTS_PER_S);
    for (const wake of [...waiters]) wake();
  }, 20);
  const answer = (res: Parameters<typeof sendJson>[0], since: number): void => {
    const end = Math.min(produced, since + BATCH_MAX);
    const join: Record<string, { timeline: { events: unknown[] } }> = {};
    for (let n = since; n < end; n++) (join[ROOMS[n % ROOMS.length]!] ??= { timeline: { events: [] } }).timeline.events.push(eventAt(n));
    sendJson(res, 200, { next_batch: `s${end}`, rooms: { join } });
  };
  const server = await startFakeServer([
    (req, res) => {
      const run = String(req.headers.authorization).replace('Bearer ', '');
      const since = req.query.get('since') ?? 's0';
      let list = syncsByRun.get(run);
      if (list === undefined) syncsByRun.set(run, (list = []));
      list.push(since);
      const from = Number(since.slice(1));
      if (produced > from || req.query.get('timeout') === '0') return answer(res, from);
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (!res.destroyed && !res.writableEnded) answer(res, from);
      };
      const timer = setTimeout(wake, Number(req.query.get('timeout') ?? '0'));
      waiters.add(wake);
      res.on('close', () => {
        clearTimeout(timer);
        waiters.delete(wake);
      });
    },
  ]);
  return {
    server,
    produced: () => produced,
    stop: () => {
      producing = false;
      clearInterval(producer);
    },
    syncsByRun,
  };
}

interface Run {
  token: string;
  child: ChildProcess;
  /** `[event index, since index]` per handled event, in order. */
  handled: [number, number][];
  firstEvent: Promise<void>;
  closed: Promise<void>;
  stderr: string[];
  /** Lets the process open the store and sync. */
  go(): void;
}

function spawnRun(token: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, [childScript], { env: { ...process.env, ...env, SYNC_TOKEN: token }, stdio: ['pipe', 'pipe', 'pipe'] });
  const handled: [number, number][] = [];
  const stderr: string[] = [];
  let onFirst!: () => void;
  const firstEvent = new Promise<void>((resolve) => (onFirst = resolve));
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^\$e(\d+) s(\d+)$/.exec(line);
      if (match === null) throw new Error(`unexpected line from the child: ${line}`);
      handled.push([Number(match[1]), Number(match[2])]);
    }
    if (handled.length > 0) onFirst();
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  // `close` comes after the pipes are drained: every line written before the kill is in `handled`.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdin!.on('error', () => {}); // a run killed before it read its word
  return { token, child, handled, firstEvent, closed, stderr, go: () => child.stdin!.write('go\n') };
}

async function killRun(run: Run): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  await run.closed;
}

describe('crash loops', () => {
  it('delivers every streamed event at least once across 100 SIGKILLs, duplicating only the batch in flight', async () => {
    const stream = await startStream();
    const dir = join(work, 'store');
    const env = { SYNC_BASE_URL: stream.server.url, SYNC_STORE_DIR: dir };
    const runs: Run[] = [];
    let next: Run | undefined;
    const startedAt = Date.now();
    try {
      next = spawnRun('run-0', env);
      for (let k = 0; k < KILLS; k++) {
        const run = next;
        runs.push(run);
        run.go();
        // The next process loads meanwhile; it touches the store only once told to.
        next = spawnRun(k + 1 < KILLS ? `run-${k + 1}` : 'run-last', env);
        if (Math.random() < 0.2) {
          // Killed while starting: opening the store, replaying a journal, the first poll.
          await new Promise((r) => setTimeout(r, Math.random() * 100));
        } else {
          await Promise.race([run.firstEvent, run.closed]);
          await new Promise((r) => setTimeout(r, Math.random() * 120));
        }
        await killRun(run);
        expect(run.child.exitCode, run.stderr.join('')).toBeNull();
      }
      stream.stop();
      const total = stream.produced();
      // The last run is left alone until it has committed everything.
      const last: Run = next;
      runs.push(last);
      last.go();
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (stream.syncsByRun.get('run-last')?.includes(`s${total}`)) {
            clearInterval(check);
            resolve();
          }
          if (last.child.exitCode !== null) {
            clearInterval(check);
            reject(new Error(`the last run exited: ${last.stderr.join('')}`));
          }
        }, 20);
      });
      await killRun(last);
      const elapsed = Date.now() - startedAt;

      // The committed position each run was killed at: where the next run that asked anything resumed.
      const resumedAt = runs.map((run) => stream.syncsByRun.get(run.token)?.[0]);
      const committedAfter = (k: number): number => {
        for (let j = k + 1; j < runs.length; j++) if (resumedAt[j] !== undefined) return Number(resumedAt[j]!.slice(1));
        return total;
      };

      const times = new Uint16Array(total);
      /** The last run that handled each event, and whether that run still held it uncommitted when killed. */
      const lastRun = new Int32Array(total).fill(-1);
      let duplicates = 0;
      let inFlightBatches = 0;
      for (const [k, run] of runs.entries()) {
        const seenInRun = new Set<number>();
        const committed = committedAfter(k);
        const inFlightSince = new Set<number>();
        for (const [n, since] of run.handled) {
          expect(n, `event ${n} is one the server produced`).toBeLessThan(total);
          expect(seenInRun.has(n), `run ${k} handled event ${n} twice`).toBe(false);
          seenInRun.add(n);
          if (times[n]! > 0) {
            duplicates++;
            // Seen before: the earlier run must have been killed with it uncommitted.
            const before = lastRun[n]!;
            expect(n >= committedAfter(before), `event ${n}, committed by run ${before}, came again in run ${k}`).toBe(true);
          }
          times[n] = times[n]! + 1;
          lastRun[n] = k;
          if (n >= committed) inFlightSince.add(since);
        }
        // What a run handled past its committed position is one batch: the one asked from that position.
        expect([...inFlightSince].every((since) => since === committed), `run ${k}'s uncommitted events come from the batch at s${committed}`).toBe(true);
        if (inFlightSince.size > 0) inFlightBatches++;
      }
      const missing = [...times.keys()].filter((n) => times[n] === 0);
      expect(missing).toEqual([]);
      expect(total).toBeGreaterThan(2_000);
      expect(runs.filter((r) => r.handled.length > 0).length).toBeGreaterThan(KILLS / 2);
      console.log(
        `crash loop: ${KILLS} SIGKILLs + 1 final run, ${total} events, ${duplicates} duplicate deliveries ` +
          `(from ${inFlightBatches} batches in flight at a kill), ${(elapsed / 1000).toFixed(1)} s`,
      );
    } finally {
      for (const run of runs) await killRun(run);
      if (next !== undefined && !runs.includes(next)) await killRun(next);
      await stream.server.close();
    }
  }, 120_000);
});
