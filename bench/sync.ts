/**
 * The cost of the sync loop on a large initial sync, against its floor.
 *
 *   npx tsx bench/sync.ts [runs] [rooms] [eventsPerRoom]
 *
 * A local node:http server (this process) serves one initial `/sync` of 500
 * rooms × 100 timeline events (about 20 MB) and then holds the long poll. Each
 * variant runs in a fresh child process, for a clean peak RSS (`VmHWM` from
 * /proc/self/status, or sampled `process.memoryUsage().rss` elsewhere):
 *
 * - floor: a bare `fetch` of the same URL, `JSON.parse` of the text, and a walk
 *   counting the timeline events;
 * - ours: `client.sync.start()` with a MemoryStore and a `m.room.message`
 *   handler (client made before the clock starts); the clock stops when every
 *   event has reached the handler;
 * - ours+file: the same with a FileStore (room state and position written to disk).
 *
 * Prints the medians, the ratios to the floor, and no verdict.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Result {
  variant: string;
  ms: number;
  peakRss: number;
  baseRss: number;
  events: number;
  /** Heap still in use after processing (after a full GC), over the heap before it: what is kept. */
  retainedHeap: number;
}

function peakRss(sampled: number): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux: fall back to sampling
  }
  return sampled;
}

async function child(variant: string, url: string, expected: number): Promise<void> {
  let sampled = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    sampled = Math.max(sampled, process.memoryUsage().rss);
  }, 2);
  // Load the modules before the clock starts, in both variants alike.
  const { createClient, MemoryStore, FileStore } = await import('../src/node.js');
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const baseHeap = process.memoryUsage().heapUsed;
  const baseRss = process.memoryUsage().rss;
  let retainedHeap = 0;
  let ms: number;
  let events = 0;
  if (variant === 'floor') {
    const started = performance.now();
    const response = await fetch(`${url}/_matrix/client/v3/sync?timeout=0`, {
      headers: { authorization: 'Bearer bench', accept: 'application/json' },
    });
    const body = JSON.parse(await response.text()) as { rooms: { join: Record<string, { timeline: { events: unknown[] } }> } };
    for (const room of Object.values(body.rooms.join)) events += room.timeline.events.length;
    ms = performance.now() - started;
    gc();
    retainedHeap = process.memoryUsage().heapUsed - baseHeap;
  } else {
    const dir = variant === 'ours+file' ? await mkdtemp(join(tmpdir(), 'mf-bench-')) : undefined;
    const store = dir === undefined ? new MemoryStore() : new FileStore(dir);
    const client = createClient({ baseUrl: url, accessToken: 'bench', sync: { store } });
    let finished!: () => void;
    const all = new Promise<void>((resolve) => (finished = resolve));
    client.on('m.room.message', () => {
      if (++events === expected) finished();
    });
    // From start() until the last event reached its handler.
    const started = performance.now();
    void client.sync.start();
    await all;
    ms = performance.now() - started;
    await client.sync.stop();
    // The client is still alive here, with its room state tracker: this is what it keeps.
    gc();
    retainedHeap = process.memoryUsage().heapUsed - baseHeap;
    void client;
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
  clearInterval(sampler);
  sampled = Math.max(sampled, process.memoryUsage().rss);
  const result: Result = { variant, ms, peakRss: peakRss(sampled), baseRss, events, retainedHeap };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function makeBody(rooms: number, perRoom: number): Buffer {
  const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation.';
  const join: Record<string, unknown> = {};
  for (let r = 0; r < rooms; r++) {
    const roomId = `!room${r}:bench.example`;
    const state = [
      { type: 'm.room.create', state_key: '', event_id: `$c${r}`, sender: '@alice:bench.example', origin_server_ts: 1, content: { room_version: '11' } },
      { type: 'm.room.name', state_key: '', event_id: `$n${r}`, sender: '@alice:bench.example', origin_server_ts: 2, content: { name: `Room ${r}` } },
      { type: 'm.room.member', state_key: '@alice:bench.example', event_id: `$m${r}`, sender: '@alice:bench.example', origin_server_ts: 3, content: { membership: 'join', displayname: 'Alice' } },
    ];
    const events = [];
    for (let e = 0; e < perRoom; e++) {
      events.push({
        type: 'm.room.message',
        event_id: `$ev${r}_${e}:bench.example`,
        sender: `@user${e % 7}:bench.example`,
        origin_server_ts: 1_700_000_000_000 + e,
        content: { msgtype: 'm.text', body: `${e}: ${filler}`, format: 'org.matrix.custom.html', formatted_body: `<p>${e}: ${filler.slice(0, 24)}</p>` },
        unsigned: { age: 1000 + e },
      });
    }
    join[roomId] = {
      state: { events: state },
      timeline: { events, limited: true, prev_batch: `p${r}` },
      ephemeral: { events: [] },
      account_data: { events: [] },
      unread_notifications: { highlight_count: 0, notification_count: 0 },
    };
  }
  return Buffer.from(JSON.stringify({ next_batch: 's1', rooms: { join }, account_data: { events: [] }, presence: { events: [] } }));
}

function runChild(variant: string, url: string, expected: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--child', variant, url, String(expected)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    proc.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${variant} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as Result);
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function parent(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const rooms = Number(process.argv[3] ?? 500);
  const perRoom = Number(process.argv[4] ?? 100);
  const body = makeBody(rooms, perRoom);
  const expected = rooms * perRoom;
  const server = createServer((req, res) => {
    const since = new URL(req.url ?? '/', 'http://x').searchParams.get('since');
    if (since !== null) return; // hold the long poll: the child stops it
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  console.log(`sync bench: ${rooms} rooms × ${perRoom} timeline events = ${expected} events, body ${mb(body.length)}, ${runs} runs per variant (node ${process.version})`);

  const variants = ['floor', 'ours', 'ours+file'];
  const results = new Map<string, Result[]>(variants.map((v) => [v, []]));
  for (const v of variants) await runChild(v, url, expected); // warm-up (disk cache, JIT of tsx)
  for (let i = 0; i < runs; i++) {
    for (const v of variants) {
      const r = await runChild(v, url, expected);
      if (r.events !== expected) throw new Error(`${v}: ${r.events} events, expected ${expected}`);
      results.get(v)!.push(r);
    }
  }
  server.closeAllConnections();
  server.close();

  const floor = results.get('floor')!;
  const fMs = median(floor.map((r) => r.ms));
  const fPeak = median(floor.map((r) => r.peakRss));
  const fGrowth = median(floor.map((r) => r.peakRss - r.baseRss));
  console.log('');
  console.log('variant     time (median)   peak RSS (median)   peak − RSS before start   time ratio   peak RSS ratio   growth ratio');
  for (const v of variants) {
    const rs = results.get(v)!;
    const ms = median(rs.map((r) => r.ms));
    const peak = median(rs.map((r) => r.peakRss));
    const growth = median(rs.map((r) => r.peakRss - r.baseRss));
    console.log(
      `${v.padEnd(10)}  ${`${ms.toFixed(0)} ms`.padStart(13)}   ${mb(peak).padStart(17)}   ${mb(growth).padStart(23)}   ${`${(ms / fMs).toFixed(2)}×`.padStart(10)}   ${`${(peak / fPeak).toFixed(2)}×`.padStart(14)}   ${`${(growth / fGrowth).toFixed(2)}×`.padStart(12)}`,
    );
  }
  console.log('');
  console.log(`all runs (ms): ${variants.map((v) => `${v} [${results.get(v)!.map((r) => r.ms.toFixed(0)).join(', ')}]`).join('; ')}`);
  console.log(`all runs (peak MB): ${variants.map((v) => `${v} [${results.get(v)!.map((r) => (r.peakRss / 1048576).toFixed(0)).join(', ')}]`).join('; ')}`);
  console.log(`heap kept after processing (median, after a full GC): ${variants.map((v) => `${v} ${mb(median(results.get(v)!.map((r) => r.retainedHeap)))}`).join('; ')}`);
}

if (process.argv[2] === '--child') {
  await child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
  process.exit(0);
} else {
  await parent();
}
