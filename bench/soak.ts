/**
 * A soak run: the sync loop and a steady request mix against a local server
 * that flaps, for N minutes. Not a test: it prints figures, no verdict.
 *
 *   npm run soak -- --minutes N [--rate EVENTS_PER_S] [--interval SECONDS]
 *
 * The server (node:http on 127.0.0.1, this process) produces timeline events at
 * a steady rate into four rooms and serves them through `/sync` (at most 100 per
 * batch, `since` is the event index). It alternates healthy phases (20 s) and
 * flapping phases (10 s) in which about a third of all requests, `/sync`
 * included, get a 502, a connection reset, a stall (no answer until the client
 * gives up) or a 429 with `Retry-After: 1`.
 *
 * The client syncs with a FileStore in a temporary directory and counts every
 * event that reaches its `m.room.message` handler; four workers meanwhile send
 * messages (PUT with a transaction id), read (whoami, room state) and do media
 * round trips (64 KiB upload, then download).
 *
 * Every interval it prints RSS, heap, the events produced, delivered (distinct)
 * and duplicated, and the requests by outcome. At the end the flapping stops,
 * the loop catches up, and it prints the events lost (must be 0), the
 * duplicates, and the growth of RSS and heap (after a GC) from the first
 * interval to the end.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, FileStore } from '../src/node.js';
import { listenOnLoopback } from '../test/support/loopback.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} needs a positive number`);
  return value;
}

const minutes = arg('minutes', 1);
const rate = arg('rate', 200);
const intervalS = arg('interval', Math.max(10, Math.round((minutes * 60) / 20)));
const HEALTHY_MS = 20_000;
const FLAPPING_MS = 10_000;
const FLAP_SHARE = 0.33;
const BATCH_MAX = 100;
const ROOMS = ['!a:soak', '!b:soak', '!c:soak', '!d:soak'];
const MEDIA = new Uint8Array(64 * 1024).fill(7);
const gc = (globalThis as { gc?: () => void }).gc;

// ---- the server --------------------------------------------------------------------------

const started = Date.now();
let produced = 0;
let flapping = false;
let draining = false;
const flaps = { '502': 0, reset: 0, stall: 0, '429': 0 };
const sendTxns = new Map<string, string>();
let serverSends = 0;
let mediaCounter = 0;
const waiters = new Set<() => void>();

const producer = setInterval(() => {
  if (draining) return;
  const due = Math.floor(((Date.now() - started) / 1000) * rate);
  if (due > produced) {
    produced = due;
    for (const wake of [...waiters]) wake();
  }
}, 20);

const phaser = setInterval(() => {
  const t = (Date.now() - started) % (HEALTHY_MS + FLAPPING_MS);
  flapping = !draining && t >= HEALTHY_MS;
}, 200);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Misbehaves for a share of requests while flapping; returns whether it did. */
function flap(req: IncomingMessage, res: ServerResponse): boolean {
  if (!flapping || Math.random() >= FLAP_SHARE) return false;
  const kind = (['502', 'reset', 'stall', '429'] as const)[Math.floor(Math.random() * 4)]!;
  flaps[kind]++;
  if (kind === '502') sendJson(res, 502, { error: 'bad gateway' });
  else if (kind === 'reset') req.socket.destroy();
  else if (kind === '429') sendJson(res, 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'slow down' }, { 'retry-after': '1' });
  // A stall: no answer; the client's timeout (or liveness guard) gives up and closes the socket.
  return true;
}

function syncAnswer(res: ServerResponse, since: number): void {
  const end = Math.min(produced, since + BATCH_MAX);
  const join: Record<string, { timeline: { events: unknown[] } }> = {};
  for (let i = since; i < end; i++) {
    const room = ROOMS[i % ROOMS.length]!;
    (join[room] ??= { timeline: { events: [] } }).timeline.events.push({
      type: 'm.room.message',
      event_id: `$e${i}`,
      sender: '@producer:soak',
      origin_server_ts: started + i,
      content: { msgtype: 'm.text', body: `event ${i}` },
    });
  }
  sendJson(res, 200, { next_batch: `s${end}`, rooms: { join } });
}

function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  if (path === '/_matrix/client/versions') return sendJson(res, 200, { versions: ['v1.11'] });
  if (flap(req, res)) return;
  if (path === '/_matrix/client/v3/sync') {
    const since = Number((url.searchParams.get('since') ?? 's0').slice(1));
    const timeout = Number(url.searchParams.get('timeout') ?? '0');
    if (produced > since || timeout === 0) return syncAnswer(res, since);
    const wake = (): void => {
      clearTimeout(timer);
      waiters.delete(wake);
      if (!res.destroyed) syncAnswer(res, since);
    };
    const timer = setTimeout(wake, timeout);
    waiters.add(wake);
    res.on('close', () => {
      clearTimeout(timer);
      waiters.delete(wake);
    });
    return;
  }
  if (req.method === 'PUT' && path.includes('/send/')) {
    const txn = path.slice(path.lastIndexOf('/') + 1);
    let eventId = sendTxns.get(txn);
    if (eventId === undefined) {
      eventId = `$sent${++serverSends}`;
      sendTxns.set(txn, eventId);
    }
    return sendJson(res, 200, { event_id: eventId });
  }
  if (path === '/_matrix/client/v3/account/whoami') return sendJson(res, 200, { user_id: '@bot:soak' });
  if (path.includes('/state/m.room.name')) return sendJson(res, 200, { name: 'Soak room' });
  if (req.method === 'POST' && path === '/_matrix/media/v3/upload') {
    return sendJson(res, 200, { content_uri: `mxc://soak/m${++mediaCounter}`, size: body.length });
  }
  if (path.startsWith('/_matrix/client/v1/media/download/')) {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': MEDIA.length });
    res.end(MEDIA);
    return;
  }
  sendJson(res, 404, { errcode: 'M_UNRECOGNIZED', error: 'no such route' });
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => handle(req, res, Buffer.concat(chunks)));
});
const loopback = await listenOnLoopback(server);

// ---- the client --------------------------------------------------------------------------

const dir = await mkdtemp(join(tmpdir(), 'mf-soak-'));
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const client = createClient({
  baseUrl: loopback.url,
  accessToken: 'soak-token',
  logger: silent,
  timeout: 2_000,
  retry: { limit: 3, backoffBase: 100, backoffLimit: 1_000, maxRetryAfter: 2_000 },
  sync: { store: new FileStore(dir), timeout: 1_000, livenessGrace: 2_000, initialSyncAllowance: 3_000, backoffBase: 100, backoffLimit: 1_000 },
});

/** How many times each event index reached the handler. */
let seen = new Uint8Array(1 << 16);
let distinct = 0;
let duplicates = 0;
let syncFailures = 0;
client.on('m.room.message', (event) => {
  const i = Number(event.event_id.slice(2));
  if (i >= seen.length) {
    const grown = new Uint8Array(Math.max(seen.length * 2, i + 1));
    grown.set(seen);
    seen = grown;
  }
  const count = seen[i]!;
  if (count === 0) distinct++;
  else duplicates++;
  seen[i] = Math.min(count + 1, 255);
});
client.on('failed', () => void syncFailures++);
client.on('fatal', ({ error }) => console.error('fatal:', error));

const outcomes = new Map<string, number>();
function count(kind: string, outcome: string): void {
  const key = `${kind} ${outcome}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

let working = true;
async function worker(id: number): Promise<void> {
  let n = 0;
  while (working) {
    const step = n++ % 4;
    const kind = step === 0 ? 'send' : step === 1 ? 'whoami' : step === 2 ? 'state' : 'media';
    try {
      if (kind === 'send') {
        await client.api.rooms(ROOMS[id % ROOMS.length]!).send('m.room.message').put({ msgtype: 'm.text', body: `from worker ${id}` });
      } else if (kind === 'whoami') {
        await client.api.account.whoami.get();
      } else if (kind === 'state') {
        await client.api.rooms(ROOMS[id % ROOMS.length]!).state('m.room.name', '').get();
      } else {
        const { content_uri } = await client.media.upload.post(MEDIA, { contentType: 'application/octet-stream' });
        const file = await client.media.download(content_uri).get({}, { signal: AbortSignal.timeout(5_000) });
        const bytes = await file.bytes();
        if (bytes.length !== MEDIA.length) throw new Error(`short download: ${bytes.length}`);
      }
      count(kind, 'ok');
    } catch (error) {
      count(kind, error instanceof Error ? error.name : 'non-error');
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

// ---- the run -----------------------------------------------------------------------------

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
function sample(label: string): { rss: number; heap: number } {
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const s = Math.round((Date.now() - started) / 1000);
  const requests = [...outcomes].sort().map(([k, v]) => `${k}=${v}`).join(' ');
  console.log(
    `${label.padEnd(6)} t=${String(s).padStart(5)}s rss=${mb(rss)}MB heap=${mb(heapUsed)}MB ` +
      `produced=${produced} delivered=${distinct} behind=${produced - distinct} dup=${duplicates} syncFailed=${syncFailures} ` +
      `flaps=${JSON.stringify(flaps)} | ${requests}`,
  );
  return { rss, heap: heapUsed };
}

console.log(`soak: ${minutes} min, ${rate} events/s, flapping ${FLAPPING_MS / 1000} s of every ${(HEALTHY_MS + FLAPPING_MS) / 1000} s, ` +
  `sample every ${intervalS} s, gc ${gc ? 'forced before each sample' : 'not exposed (run with --expose-gc)'}`);
void client.sync.start();
const workers = [0, 1, 2, 3].map((id) => worker(id));
let first: { rss: number; heap: number } | undefined;
const endAt = started + minutes * 60_000;
while (Date.now() < endAt) {
  await new Promise((r) => setTimeout(r, Math.min(intervalS * 1000, endAt - Date.now())));
  const s = sample('run');
  first ??= s;
}

// Drain: no more events, no more flapping; wait for the loop to catch up (at most 2 minutes).
draining = true;
flapping = false;
working = false;
await Promise.all(workers);
const drainStart = Date.now();
while (client.sync.position !== `s${produced}` && Date.now() - drainStart < 120_000) {
  await new Promise((r) => setTimeout(r, 100));
}
const last = sample('end');
let lost = 0;
for (let i = 0; i < produced; i++) if (i >= seen.length || seen[i] === 0) lost++;
console.log(
  `result: events produced=${produced} lost=${lost} duplicates=${duplicates} position=${client.sync.position} ` +
    `drain=${Date.now() - drainStart}ms rss growth=${mb(last.rss - (first?.rss ?? last.rss))}MB heap growth=${mb(last.heap - (first?.heap ?? last.heap))}MB ` +
    `(from the first sample to the end)`,
);
clearInterval(producer);
clearInterval(phaser);
await client.sync.stop();
await loopback.close();
await rm(dir, { recursive: true, force: true });
