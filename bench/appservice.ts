/**
 * The cost of the appservice receiver, against two floors measured in the same run.
 *
 *   npm run bench:appservice                     # 3 runs per variant, 100,000 events each
 *   npx tsx bench/appservice.ts [runs] [events]  # e.g. `1 20000` for a quick look
 *   npm run bench:appservice:soak                # `--soak 500000`: heap after GC every 10% (see {@link soak})
 *
 * This process plays the homeserver: it PUTs transactions of 100 `m.room.message` events
 * (a few hundred bytes each, spread over 20 rooms) to `/_matrix/app/v1/transactions/{txnId}`
 * over keep-alive HTTP (node:http Agent), one transaction in flight at a time as Synapse does,
 * then again with 4 in flight. Each server runs in a fresh child process, so its RSS is its own:
 *
 * - floor: a bare node:http server that reads the body, `JSON.parse`s it and answers `{}`;
 * - durable floor: the same, but it first writes each body to a file of its own and fsyncs it
 *   (the durability the receiver promises: nothing acknowledged before it is on disk);
 * - ours: `createAppservice` with a `FileAppserviceStore` in a temporary directory, served by
 *   `listenAppservice`, with a no-op `m.room.message` handler.
 *
 * For each it prints events/s (all events acknowledged), ack latency p50/p99 (PUT sent to
 * response read), the server's RSS after the first 10% of the events and at the end, and the
 * ratio of the two; for ours also when the handler had seen the last event. Then a second
 * scenario, twice: a handler slower than the homeserver pushes (see {@link slowScenario}),
 * first one whose backlog finds room within the backpressure budget, then one that does not.
 *
 * The memory table also shows V8's committed heap and the heap after a full GC (at 10%, at the
 * end, and for ours once the handler had caught up), to tell what is kept from what V8 reserves.
 *
 * `BENCH_VARIANTS=floor,ours` runs some of the variants only; `BENCH_SLOW_TXNS` sets how many
 * transactions the slow scenario pushes (default 60; 0 skips it); `BENCH_SERVER_FLAGS` adds Node
 * flags to the server children (e.g. `--max-semi-space-size=1`, `--trace-gc-nvp`). The table also
 * prints external memory (ArrayBuffers among it) at 10% and at the end; `BENCH_SPACES=1` prints the
 * size of each V8 heap space per run; `BENCH_ALLOC_PROFILE=dir` samples what the receiver allocates,
 * garbage included, prints the top allocation sites and writes the profile into `dir`;
 * `BENCH_ROOMS=n` spreads the events over `n` rooms instead of 20; `BENCH_REMEMBER=n` sets the receiver store's dedupe window (`remember`, 10,000 by default);
 * `BENCH_HEAP_SNAPSHOTS=dir` writes a heap snapshot of the receiver into `dir` at each memory sample.
 *
 * Nothing here asserts a time: it prints figures and ratios, and no verdict.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';

const SELF = fileURLToPath(import.meta.url);
const HS_TOKEN = 'bench_hs_token_0123456789abcdef0123456789abcdef';
const AS_TOKEN = 'bench_as_token_0123456789abcdef0123456789abcdef';
const SERVER_NAME = 'bench.example';
/** Rooms the events are spread over (`BENCH_ROOMS`, 20 by default; a large number gives each event a room of its own). */
const ROOMS = Number(process.env['BENCH_ROOMS'] ?? 20);
const PER_TXN = 100;

// ---------------------------------------------------------------------------
// What the homeserver pushes.
// ---------------------------------------------------------------------------

const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea commodo consequat'.split(' ');

/** A realistic `m.room.message` of a few hundred bytes; `n` makes it unique. */
function message(n: number): Record<string, unknown> {
  const room = n % ROOMS;
  const words = Array.from({ length: 8 + (n % 17) }, (_, i) => WORDS[(n * 7 + i * 3) % WORDS.length]).join(' ');
  return {
    type: 'm.room.message',
    room_id: `!room${room}abcdefghijkl:${SERVER_NAME}`,
    sender: `@user${n % 13}:${SERVER_NAME}`,
    event_id: `$${n.toString(36).padStart(8, '0')}ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi`,
    origin_server_ts: 1_790_000_000_000 + n,
    content: {
      msgtype: 'm.text',
      body: `${n}: ${words}`,
      format: 'org.matrix.custom.html',
      formatted_body: `<p>${n}: <b>${words.slice(0, 30)}</b>${words.slice(30)}</p>`,
      'm.mentions': {},
    },
    unsigned: { age: 40 + (n % 100) },
    user_id: `@user${n % 13}:${SERVER_NAME}`,
  };
}

/** The body of transaction number `t` (events `t*100 ... t*100+99`). */
function transaction(t: number): Buffer {
  const events = Array.from({ length: PER_TXN }, (_, i) => message(t * PER_TXN + i));
  return Buffer.from(JSON.stringify({ events, ephemeral: [] }));
}

// ---------------------------------------------------------------------------
// The servers under test, each in a child process.
// ---------------------------------------------------------------------------

/** Messages from a server child to this process. */
type FromChild =
  | { kind: 'ready'; port: number }
  | { kind: 'rss'; rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number; spaces: string; cpuMs: number }
  | { kind: 'stats'; handled: number; depth?: number | undefined; pending?: number | undefined; lines: string[] }
  | { kind: 'stopped' };

/** Messages from this process to a server child. */
type ToChild = { kind: 'rss' } | { kind: 'stats' } | { kind: 'stop' };

/** How a server child answers: the floors answer here, the receiver answers in its own module. */
interface ServerUnderTest {
  port: number;
  handled(): number;
  depth?(): number | undefined;
  pendingTransactions?(): Promise<number>;
  lines?(): string[];
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The floors: parse and answer, optionally after writing the body to its own file and fsyncing it. */
async function floorServer(durable: boolean): Promise<ServerUnderTest> {
  const dir = durable ? await mkdtemp(join(tmpdir(), 'mf-bench-floor-')) : '';
  let handled = 0;
  let files = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const txn = JSON.parse(body.toString('utf8')) as { events: unknown[] };
      if (durable) {
        const file = await open(join(dir, `txn-${files++}.json`), 'w');
        try {
          await file.writeFile(body);
          await file.sync();
        } finally {
          await file.close();
        }
      }
      handled += txn.events.length;
      answer(res, 200, '{}');
    })().catch((error: unknown) => answer(res, 500, JSON.stringify({ errcode: 'M_UNKNOWN', error: String(error) })));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    handled: () => handled,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Options a server child is started with (JSON in argv). */
interface ChildOptions {
  variant: Variant;
  homeserverUrl: string;
  /** Slow scenario: ms each event's handler takes. */
  handlerMs?: number | undefined;
  inboxLimit?: number | undefined;
  concurrency?: number | undefined;
  budgetMs?: number | undefined;
}

async function serve(options: ChildOptions): Promise<ServerUnderTest> {
  if (options.variant === 'floor') return floorServer(false);
  if (options.variant === 'durable floor') return floorServer(true);
  const { receiverServer } = await import('./appservice-receiver.js');
  return receiverServer({ ...options, hsToken: HS_TOKEN, asToken: AS_TOKEN, serverName: SERVER_NAME });
}

async function child(options: ChildOptions): Promise<void> {
  const server = await serve(options);
  const profile = process.env['BENCH_ALLOC_PROFILE'] && options.variant === 'ours' ? await startAllocationProfile() : undefined;
  const send = (message: FromChild): void => void process.send?.(message);
  process.on('message', (message: ToChild) => {
    if (message.kind === 'rss') {
      // RSS as it is; the heap after a full collection, so that garbage is not counted as kept.
      const { rss, heapTotal, external, arrayBuffers } = process.memoryUsage();
      const cpu = process.cpuUsage();
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const spaces = getHeapSpaceStatistics()
        .filter((s) => s.space_size > 0)
        .map((s) => `${s.space_name.replace(/_space$/, '')} ${(s.space_size / 1048576).toFixed(1)}`)
        .join(', ');
      (globalThis as { gc?: () => void }).gc?.();
      const snapshots = process.env['BENCH_HEAP_SNAPSHOTS'];
      if (snapshots && options.variant === 'ours') writeHeapSnapshot(join(snapshots, `receiver-${process.pid}-${Date.now()}.heapsnapshot`));
      send({ kind: 'rss', rss, heapTotal, heapUsed: process.memoryUsage().heapUsed, external, arrayBuffers, spaces, cpuMs });
    } else if (message.kind === 'stats') {
      void (async () => {
        const pending = await server.pendingTransactions?.();
        send({ kind: 'stats', handled: server.handled(), depth: server.depth?.(), pending, lines: server.lines?.() ?? [] });
      })();
    } else {
      void server.stop().then(async () => {
        await profile?.();
        send({ kind: 'stopped' });
        process.disconnect();
      });
    }
  });
  send({ kind: 'ready', port: server.port });
}

/**
 * `BENCH_ALLOC_PROFILE=dir`: samples what the receiver allocates (the garbage included) and, at
 * its stop, prints the allocation sites by bytes and writes the profile to `dir` (for DevTools).
 */
async function startAllocationProfile(): Promise<() => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFile } = await import('node:fs/promises');
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
  return async () => {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
    interface ProfileNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: ProfileNode[] }
    const bySite = new Map<string, number>();
    let total = 0;
    const walk = (node: ProfileNode): void => {
      const site = `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${node.callFrame.lineNumber + 1}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
      for (const c of node.children) walk(c);
    };
    walk(profile.head);
    console.log(`receiver allocations sampled: ${(total / 1048576).toFixed(1)} MB; top sites:`);
    for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(bytes / 1048576).toFixed(1).padStart(7)} MB  ${site}`);
    await writeFile(join(process.env['BENCH_ALLOC_PROFILE']!, `receiver-${process.pid}.heapprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

/** A server child and a way to ask it things. */
interface Child {
  proc: ChildProcess;
  port: number;
  ask<K extends FromChild['kind']>(message: ToChild, kind: K): Promise<Extract<FromChild, { kind: K }>>;
}

type Stats = Extract<FromChild, { kind: 'stats' }>;

/** Asks the child for its stats until `done` holds them (every `pollMs`), for at most `withinMs`; throws `${what} within …` after. */
async function untilStats(server: Child, done: (stats: Stats) => boolean, what: string, withinMs = 120_000, pollMs = 5): Promise<Stats> {
  for (const deadline = Date.now() + withinMs; ; await new Promise((resolve) => setTimeout(resolve, pollMs))) {
    const stats = await server.ask({ kind: 'stats' }, 'stats');
    if (done(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`${what} within ${withinMs / 1000} s`);
  }
}

async function startChild(options: ChildOptions): Promise<Child> {
  const proc = fork(SELF, ['--child', JSON.stringify(options)], {
    execArgv: ['--expose-gc', ...(process.env['BENCH_SERVER_FLAGS']?.split(' ').filter(Boolean) ?? []), '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, { resolve: (message: FromChild) => void; reject: (error: Error) => void }>();
  proc.on('message', (message: FromChild) => {
    const waiter = waiting.get(message.kind);
    waiting.delete(message.kind);
    waiter?.resolve(message);
  });
  proc.once('exit', (code) => {
    for (const waiter of waiting.values()) waiter.reject(new Error(`the ${options.variant} server exited with ${code}`));
    waiting.clear();
  });
  const next = <K extends FromChild['kind']>(kind: K): Promise<Extract<FromChild, { kind: K }>> =>
    new Promise((resolve, reject) => {
      if (proc.exitCode !== null) reject(new Error(`the ${options.variant} server exited with ${proc.exitCode}`));
      waiting.set(kind, { resolve: (message) => resolve(message as Extract<FromChild, { kind: K }>), reject });
    });
  const ready = await next('ready');
  return {
    proc,
    port: ready.port,
    ask(message, kind) {
      const reply = next(kind);
      proc.send(message);
      return reply;
    },
  };
}

// ---------------------------------------------------------------------------
// The homeserver side: pushing transactions.
// ---------------------------------------------------------------------------

interface PutResult {
  status: number;
  ms: number;
}

function put(agent: Agent, port: number, txnId: string, body: Buffer, timeoutMs = 60_000): Promise<PutResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: `/_matrix/app/v1/transactions/${encodeURIComponent(txnId)}`,
        headers: { authorization: `Bearer ${HS_TOKEN}`, 'content-type': 'application/json', 'content-length': body.length },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      },
    );
    // Like Synapse: no answer within the timeout counts as a failure (status 0).
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

const percentile = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

interface RunResult {
  variant: Variant;
  inFlight: number;
  events: number;
  ms: number;
  p50: number;
  p99: number;
  rssEarly: number;
  rssLate: number;
  heapEarly: number;
  heapLate: number;
  /** V8's committed heap (what RSS holds of it) at 10% and at the end. */
  committedEarly: number;
  committedLate: number;
  /** Memory outside the V8 heap (buffers and other external memory), and the ArrayBuffers of it, at 10% and at the end. */
  externalEarly: number;
  externalLate: number;
  arrayBuffersEarly: number;
  arrayBuffersLate: number;
  /** V8's committed size per heap space (MB), at 10% and at the end, of each run. */
  spacesEarly: string;
  spacesLate: string;
  /** Ours: the heap after GC once the handler had seen every event (the inbox drained). */
  heapDrained?: number | undefined;
  /** Ours: transactions the store still counted as pending when the handler had seen every event. */
  pendingAtDrain?: number | undefined;
  /** Ours: ms from the first PUT until the store had recorded every transaction as processed. */
  recordedMs?: number | undefined;
  /** The server's CPU time (user + system) per 1,000 events after the first 10%: less swayed than events/s by other load on the machine. */
  cpuPer1000: number;
  /** Events/s after the first 10% (the warm-up left out). */
  steadyRate: number;
  /** Ours: ms from the first PUT until the handler had seen every event. */
  handledMs?: number | undefined;
}

/** Pushes `events` events in transactions of 100, `inFlight` at a time, and measures. */
async function run(variant: Variant, events: number, inFlight: number, homeserverUrl: string): Promise<RunResult> {
  const server = await startChild({ variant, homeserverUrl });
  const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
  try {
    const total = Math.ceil(events / PER_TXN);
    const early = Math.ceil(total / 10);
    const latencies = new Float64Array(total);
    let memEarly = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0, spaces: '', cpuMs: 0 };
    let earlyAt = 0;
    let next = 0;
    let failed = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      for (let t = next++; t < total; t = next++) {
        const { status, ms } = await put(agent, server.port, `t${t}`, transaction(t));
        if (status !== 200) failed++;
        latencies[t] = ms;
        if (t === early - 1) {
          memEarly = await server.ask({ kind: 'rss' }, 'rss');
          earlyAt = performance.now();
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const ms = performance.now() - started;
    if (failed > 0) throw new Error(`${variant}: ${failed} transactions were not answered 200`);
    const steadyRate = ((total - early) * PER_TXN) / ((performance.now() - earlyAt) / 1000);
    const memLate = await server.ask({ kind: 'rss' }, 'rss');
    let handledMs: number | undefined;
    let heapDrained: number | undefined;
    let pendingAtDrain: number | undefined;
    let recordedMs: number | undefined;
    if (variant === 'ours') {
      const want = total * PER_TXN;
      pendingAtDrain = (await untilStats(server, (stats) => stats.handled >= want, 'ours: the handler did not see every event')).pending;
      handledMs = performance.now() - started;
      heapDrained = (await server.ask({ kind: 'rss' }, 'rss')).heapUsed;
      await untilStats(server, (stats) => stats.pending === 0, 'ours: the store did not record every transaction as processed');
      recordedMs = performance.now() - started;
    }
    latencies.sort();
    return { variant, inFlight, events: total * PER_TXN, ms, p50: percentile(latencies, 50), p99: percentile(latencies, 99),
      rssEarly: memEarly.rss, rssLate: memLate.rss, heapEarly: memEarly.heapUsed, heapLate: memLate.heapUsed,
      committedEarly: memEarly.heapTotal, committedLate: memLate.heapTotal, externalEarly: memEarly.external, externalLate: memLate.external,
      arrayBuffersEarly: memEarly.arrayBuffers, arrayBuffersLate: memLate.arrayBuffers, spacesEarly: memEarly.spaces, spacesLate: memLate.spaces,
      cpuPer1000: (memLate.cpuMs - memEarly.cpuMs) / (((total - early) * PER_TXN) / 1000), heapDrained, pendingAtDrain, recordedMs, steadyRate, handledMs };
  } finally {
    agent.destroy();
    await server.ask({ kind: 'stop' }, 'stopped').catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------
// Second scenario: a handler slower than the homeserver pushes.
// ---------------------------------------------------------------------------

/**
 * A handler slower than the homeserver pushes: `handlerMs` per event under a `concurrency` cap,
 * a small inbox, a backpressure budget, and a pusher that behaves like Synapse: one transaction
 * in flight; a non-200 answer or no answer within 60 s is a failure, after which the same
 * transaction is sent again after 2 s, 4 s, 8 s (Synapse's backoff doubles from 2 s up to
 * 512 s). Prints the transactions that were held or refused as they go, every tenth one, and
 * the receiver's inbox depth, then a summary.
 */
async function slowScenario(homeserver: FakeHomeserver, transactions: number, slow: { handlerMs: number; inboxLimit: number; concurrency: number; budgetMs: number }): Promise<void> {
  const options: ChildOptions = { variant: 'ours', homeserverUrl: homeserver.url, ...slow };
  console.log('');
  console.log(
    `Slow handler: ${slow.handlerMs} ms per event, concurrency ${slow.concurrency} (so at most ` +
      `${((1000 / slow.handlerMs) * slow.concurrency).toFixed(0)} events/s handled), inboxLimit ${slow.inboxLimit}, ` +
      `backpressureBudgetMs ${slow.budgetMs}; ${transactions} transactions of ${PER_TXN} events pushed as Synapse does.`,
  );
  const server = await startChild(options);
  const pingsBefore = homeserver.pings().length; // the start-up ping
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  const at = (): string => `${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s`;
  let held = 0;
  let failures = 0;
  let pingRetries = 0;
  const statuses = new Map<number, number>();
  const acks: number[] = [];
  try {
    for (let t = 0; t < transactions; t++) {
      for (let attempt = 0; ; attempt++) {
        const { status, ms } = await put(agent, server.port, `slow${t}`, transaction(t));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        const stats = await server.ask({ kind: 'stats' }, 'stats');
        if (ms > 100) held++;
        const line = `${at()}  txn ${String(t).padStart(3)} attempt ${attempt}: ${status || 'timeout'} after ${ms.toFixed(0).padStart(5)} ms, handled ${String(stats.handled).padStart(5)}, inbox depth ${stats.depth ?? '?'}`;
        if (status !== 200 || ms > 100 || t % 10 === 0) console.log(`  ${line}`);
        for (const extra of stats.lines) console.log(`    receiver: ${extra}`);
        if (status === 200) {
          acks.push(ms);
          break;
        }
        failures++;
        const backoff = 2_000 * 2 ** attempt;
        console.log(`  ${at()}  the homeserver marks the appservice down and retries txn ${t} in ${backoff / 1000} s, or at the receiver's next ping`);
        let timer: NodeJS.Timeout | undefined;
        const woken = await Promise.race([
          homeserver.nextPing().then(() => true),
          new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), backoff))),
        ]);
        clearTimeout(timer);
        if (woken) {
          pingRetries++;
          console.log(`  ${at()}  the receiver pinged: retrying txn ${t} now`);
        }
      }
    }
    const pushedMs = performance.now() - started;
    const want = transactions * PER_TXN;
    await untilStats(server, (stats) => stats.handled >= want, 'slow handler: not every event was handled', 300_000, 50);
    const drainedMs = performance.now() - started;
    const sorted = Float64Array.from(acks).sort();
    console.log(
      `  all ${transactions} transactions acknowledged after ${(pushedMs / 1000).toFixed(1)} s, every event handled after ` +
        `${(drainedMs / 1000).toFixed(1)} s; answers: ${[...statuses].map(([s, n]) => `${s || 'timeout'} ×${n}`).join(', ')}; ` +
        `held (> 100 ms) ${held}, failed attempts ${failures} ` +
        `(${pingRetries} retried early on the receiver's ping; receiver pings after the start-up one: ` +
        `${homeserver.pings().slice(pingsBefore).map((t) => `${((t - started) / 1000).toFixed(1)} s`).join(', ') || 'none'}); ack latency of the 200s p50 ${percentile(sorted, 50).toFixed(0)} ms, ` +
        `p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(0)} ms`,
    );
  } finally {
    agent.destroy();
    await server.ask({ kind: 'stop' }, 'stopped').catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------
// Report.
// ---------------------------------------------------------------------------

type Variant = 'floor' | 'durable floor' | 'ours';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * A stand-in homeserver for the receiver's pings: it answers every request `{}`, and, as Synapse
 * does, a ping cuts short the wait before the next retry of a failed transaction.
 */
interface FakeHomeserver {
  url: string;
  /** Resolves at the next ping the receiver sends. */
  nextPing(): Promise<void>;
  /** When each ping came (performance.now()). */
  pings(): number[];
  close(): void;
}

async function fakeHomeserver(): Promise<FakeHomeserver> {
  let pinged: (() => void)[] = [];
  const pings: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const ping = req.url?.includes('/ping') ?? false;
      if (ping) {
        pings.push(performance.now());
        for (const resolve of pinged.splice(0)) resolve();
      }
      answer(res, 200, ping ? '{"duration_ms":0}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    nextPing: () => new Promise<void>((resolve) => void pinged.push(resolve)),
    pings: () => pings,
    close: () => {
      pinged = [];
      server.close();
    },
  };
}

async function parent(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const events = Number(process.argv[3] ?? 100_000);
  const variants: Variant[] = (process.env['BENCH_VARIANTS']?.split(',') as Variant[] | undefined) ?? ['floor', 'durable floor', 'ours'];
  const homeserver = await fakeHomeserver();
  console.log(
    `appservice bench: ${events} events in transactions of ${PER_TXN} (~${(transaction(0).length / PER_TXN).toFixed(0)} bytes an event, ` +
      `${ROOMS} rooms), keep-alive HTTP, ${runs} run(s) per variant, medians (node ${process.version})`,
  );
  try {
    for (const inFlight of [1, 4]) {
      const results = new Map<Variant, RunResult[]>(variants.map((v) => [v, []]));
      for (let i = 0; i < runs; i++) {
        for (const v of variants) results.get(v)!.push(await run(v, events, inFlight, homeserver.url));
      }
      const med = (v: Variant, pick: (r: RunResult) => number): number => median(results.get(v)?.map(pick) ?? []);
      const rate = (v: Variant): number => med(v, (r) => r.events / (r.ms / 1000));
      const steady = (v: Variant): number => med(v, (r) => r.steadyRate);
      const x = (ratio: number, width: number): string => `${ratio.toFixed(2)}×`.padStart(width);
      console.log('');
      console.log(`${inFlight} transaction(s) in flight`);
      console.log('variant          events/s  vs floor  vs durable  | after the first 10%: events/s  vs durable  |  ack p50   ack p99  all handled');
      for (const v of variants) {
        const handled = results.get(v)![0]?.handledMs === undefined ? '' : `${(med(v, (r) => r.handledMs!) / 1000).toFixed(2)} s`;
        console.log(
          `${v.padEnd(14)} ${rate(v).toFixed(0).padStart(10)} ${x(rate(v) / rate('floor'), 9)} ${x(rate(v) / rate('durable floor'), 11)}  |` +
            `${steady(v).toFixed(0).padStart(29)} ${x(steady(v) / steady('durable floor'), 11)}  |` +
            `${`${med(v, (r) => r.p50).toFixed(1)} ms`.padStart(9)} ${`${med(v, (r) => r.p99).toFixed(1)} ms`.padStart(9)} ${handled.padStart(12)}`,
        );
      }
      console.log('variant         RSS at 10%  RSS at end  end/10%  | V8 heap committed 10% → end | heap after GC 10%  at end  end/10%  drained');
      for (const v of variants) {
        const [rssEarly, rssLate] = [med(v, (r) => r.rssEarly), med(v, (r) => r.rssLate)];
        const [heapEarly, heapLate] = [med(v, (r) => r.heapEarly), med(v, (r) => r.heapLate)];
        const committed = `${mb(med(v, (r) => r.committedEarly))} → ${mb(med(v, (r) => r.committedLate))}`;
        const drained = results.get(v)![0]?.heapDrained === undefined ? '' : mb(med(v, (r) => r.heapDrained!));
        console.log(
          `${v.padEnd(14)} ${mb(rssEarly).padStart(11)} ${mb(rssLate).padStart(11)} ${x(rssLate / rssEarly, 8)}  |` +
            `${committed.padStart(28)} |${mb(heapEarly).padStart(17)} ${mb(heapLate).padStart(7)} ${x(heapLate / heapEarly, 8)} ${drained.padStart(8)}`,
        );
      }
      for (const v of variants) {
        console.log(`${v}: external (of which ArrayBuffers) ${mb(med(v, (r) => r.externalEarly))} (${mb(med(v, (r) => r.arrayBuffersEarly))}) → ${mb(med(v, (r) => r.externalLate))} (${mb(med(v, (r) => r.arrayBuffersLate))})`);
        if (process.env['BENCH_SPACES']) for (const r of results.get(v)!) console.log(`  V8 spaces (MB) at 10%: ${r.spacesEarly}\n  at end: ${r.spacesLate}`);
      }
      if (results.get('ours')?.[0]?.recordedMs !== undefined) {
        console.log(
          `ours: the handler had seen every event after ${(med('ours', (r) => r.handledMs!) / 1000).toFixed(2)} s; the store then still held ` +
            `${med('ours', (r) => r.pendingAtDrain ?? NaN).toFixed(0)} transactions as pending (their progress not yet written), ` +
            `all recorded after ${(med('ours', (r) => r.recordedMs!) / 1000).toFixed(2)} s`,
        );
      }
      console.log(`server CPU ms per 1,000 events after the first 10% (user + system): ${variants.map((v) => `${v} ${med(v, (r) => r.cpuPer1000).toFixed(1)}`).join(', ')}`);
      console.log(`all runs (events/s): ${variants.map((v) => `${v} [${results.get(v)!.map((r) => (r.events / (r.ms / 1000)).toFixed(0)).join(', ')}]`).join('; ')}`);
    }
    const slow = Number(process.env['BENCH_SLOW_TXNS'] ?? 60);
    if (slow > 0) {
      // Slower than the push, but each transaction finds room well within the budget.
      await slowScenario(homeserver, slow, { handlerMs: 5, concurrency: 4, inboxLimit: 1_000, budgetMs: 5_000 });
      // So slow that room for one transaction takes longer than the budget.
      await slowScenario(homeserver, Math.ceil(slow / 8), { handlerMs: 20, concurrency: 1, inboxLimit: 200, budgetMs: 1_000 });
    }
  } finally {
    homeserver.close();
  }
}

// ---------------------------------------------------------------------------
// Soak: the heap after GC over a long run.
// ---------------------------------------------------------------------------

/** One sample of a soak run: after how many events, the heap after a full GC and the RSS. */
interface SoakSample {
  events: number;
  heapUsed: number;
  /** V8's committed heap (before the GC). */
  heapTotal: number;
  rss: number;
}

/** The least-squares slope of the heap after GC over `samples`, in bytes per 10,000 events. */
function slopePer10k(samples: readonly SoakSample[]): number {
  const n = samples.length;
  const mx = samples.reduce((s, p) => s + p.events, 0) / n;
  const my = samples.reduce((s, p) => s + p.heapUsed, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of samples) {
    num += (p.events - mx) * (p.heapUsed - my);
    den += (p.events - mx) ** 2;
  }
  return den === 0 ? NaN : (num / den) * 10_000;
}

/** Pushes `events` events one transaction at a time and samples the server's heap after GC and RSS every 10%. */
async function soakRun(variant: Variant, events: number, homeserverUrl: string): Promise<SoakSample[]> {
  const server = await startChild({ variant, homeserverUrl });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const total = Math.ceil(events / PER_TXN);
    const tenth = Math.ceil(total / 10);
    const samples: SoakSample[] = [];
    for (let t = 0; t < total; t++) {
      const { status } = await put(agent, server.port, `t${t}`, transaction(t));
      if (status !== 200) throw new Error(`${variant}: transaction ${t} was answered ${status}`);
      if ((t + 1) % tenth === 0 || t === total - 1) {
        if (variant === 'ours') {
          // Let the handler and the store catch up, so the sample is not the backlog.
          await untilStats(server, (stats) => stats.handled >= (t + 1) * PER_TXN && stats.pending === 0, 'ours: the handler and the store did not catch up');
        }
        const mem = await server.ask({ kind: 'rss' }, 'rss');
        samples.push({ events: (t + 1) * PER_TXN, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, rss: mem.rss });
      }
    }
    return samples;
  } finally {
    agent.destroy();
    await server.ask({ kind: 'stop' }, 'stopped').catch(() => undefined);
  }
}

/**
 * `--soak N`: pushes N events to the durable floor and to the receiver (one transaction in flight)
 * and prints, every 10% of the run, the heap after a forced full GC and the RSS of each, then the
 * slope of the heap after GC over the second half of the run, in KB per 10,000 events.
 */
async function soak(events: number): Promise<void> {
  const homeserver = await fakeHomeserver();
  const variants: Variant[] = (process.env['BENCH_VARIANTS']?.split(',') as Variant[] | undefined) ?? ['durable floor', 'ours'];
  console.log(
    `appservice soak: ${events} events in transactions of ${PER_TXN} (${ROOMS} rooms), one in flight; ` +
      `heap after a forced full GC and RSS every 10% (node ${process.version})`,
  );
  try {
    const results = new Map<Variant, SoakSample[]>();
    for (const v of variants) results.set(v, await soakRun(v, events, homeserver.url));
    const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
    console.log(`${'events'.padStart(9)}  ${variants.map((v) => `${`${v}: heap after GC`.padStart(28)} ${'committed'.padStart(10)} ${'RSS'.padStart(9)}`).join('  ')}`);
    const rows = results.get(variants[0]!)!.length;
    for (let i = 0; i < rows; i++) {
      const cells = variants.map((v) => {
        const s = results.get(v)![i]!;
        return `${mb(s.heapUsed).padStart(28)} ${mb(s.heapTotal).padStart(10)} ${mb(s.rss).padStart(9)}`;
      });
      console.log(`${String(results.get(variants[0]!)![i]!.events).padStart(9)}  ${cells.join('  ')}`);
    }
    for (const v of variants) {
      const samples = results.get(v)!;
      const half = samples.filter((s) => s.events >= events / 2);
      const first = samples[0]!;
      const last = samples[samples.length - 1]!;
      console.log(
        `${v}: heap after GC ${mb(first.heapUsed)} at ${first.events} events → ${mb(last.heapUsed)} at ${last.events}; ` +
          `slope over the second half ${kb(slopePer10k(half))} per 10,000 events; RSS ${mb(first.rss)} → ${mb(last.rss)}`,
      );
    }
  } finally {
    homeserver.close();
  }
}

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]!) as ChildOptions);
} else if (process.argv[2] === '--soak') {
  await soak(Number(process.argv[3] ?? 300_000));
} else {
  await parent();
}
