/**
 * The request path against one local node:http server, in one run: a bare
 * undici Pool, a bare fetch, and matrix-fluent on each of its engines; and, as
 * a reference for the fetch engine's floor, bare ky over the same fetch with its
 * own retry, timeout and HTTP errors switched off (what ky costs by itself).
 * Scenarios: sequential whoami (µs/op), 32-concurrent whoami (req/s), sequential
 * sends (PUT with a JSON body, µs/op); each figure the median of 3 alternating rounds.
 *
 * Run: `npm run bench:transport -- [requests]` (default 2000 per round).
 * Prints figures and ratios only; no target is asserted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import ky from 'ky';
import { Pool } from 'undici';
import { createClient } from '../src/node.js';

const N = Number(process.argv[2] ?? 2000);
const CONCURRENCY = 32;
const WARMUP = 500;
const ROUNDS = 3;
const TOKEN = 'bench_token_0123456789';
const ROOM = '!bench:localhost';

const WHOAMI = JSON.stringify({ user_id: '@bench:localhost', device_id: 'BENCH', is_guest: false });
const EVENT = JSON.stringify({ event_id: '$bench_event_id_0123456789' });
const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(WHOAMI) });
    res.end(WHOAMI);
    return;
  }
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(EVENT) });
    res.end(EVENT);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const whoamiPath = '/_matrix/client/v3/account/whoami';
const sendPath = (txn: number): string =>
  `/_matrix/client/v3/rooms/${encodeURIComponent(ROOM)}/send/m.room.message/${txn}`;
const content = { msgtype: 'm.text', body: 'Hello from the bench' } as const;
const headers = { authorization: `Bearer ${TOKEN}`, accept: 'application/json' };
const sendHeaders = { ...headers, 'content-type': 'application/json' };

let txn = 0;
type Contender = { name: string; whoami: () => Promise<unknown>; send: () => Promise<unknown> };

const pool = new Pool(base);
const bareUndici: Contender = {
  name: 'bare undici Pool',
  whoami: async () => (await pool.request({ method: 'GET', path: whoamiPath, headers })).body.json(),
  send: async () =>
    (await pool.request({ method: 'PUT', path: sendPath(txn++), headers: sendHeaders, body: JSON.stringify(content) })).body.json(),
};
const bareFetch: Contender = {
  name: 'bare fetch',
  whoami: async () => (await fetch(base + whoamiPath, { headers })).json(),
  send: async () => (await fetch(base + sendPath(txn++), { method: 'PUT', headers: sendHeaders, body: JSON.stringify(content) })).json(),
};
// ky as a caller would use it with its own policy off: ky builds (and clones) the Request, then fetches.
const kyClient = ky.create({ retry: 0, timeout: false, throwHttpErrors: false });
const bareKy: Contender = {
  name: 'bare ky (over fetch)',
  whoami: () => kyClient.get(base + whoamiPath, { headers }).json(),
  send: () => kyClient.put(base + sendPath(txn++), { headers: sendHeaders, body: JSON.stringify(content) }).json(),
};
function ours(engine: 'undici' | 'fetch'): Contender {
  const client = createClient({ baseUrl: base, accessToken: TOKEN, engine });
  // A build without the engine seam ignores `engine` and runs on fetch.
  const used = (client.transport as { engine?: string }).engine ?? 'fetch*';
  return {
    name: `ours on ${used}`,
    whoami: () => client.api.account.whoami.get(),
    send: () => client.api.rooms(ROOM).send('m.room.message', String(txn++)).put(content),
  };
}
const contenders = [bareUndici, bareFetch, ours('undici'), ours('fetch'), bareKy];

/** A figure and the CPU time this process spent per request meanwhile (server included). */
interface Sample {
  value: number;
  cpuUs: number;
}

function cpuSince(start: NodeJS.CpuUsage, n: number): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

async function sequential(fn: () => Promise<unknown>, n: number): Promise<Sample> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return { value: ((performance.now() - started) * 1000) / n, cpuUs: cpuSince(cpu, n) }; // µs per op
}

async function concurrent(fn: () => Promise<unknown>, n: number, width: number): Promise<Sample> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        next++;
        await fn();
      }
    }),
  );
  return { value: n / ((performance.now() - started) / 1000), cpuUs: cpuSince(cpu, n) }; // requests per second
}

for (const c of contenders) {
  await sequential(c.whoami, WARMUP);
  await sequential(c.send, WARMUP);
  await concurrent(c.whoami, WARMUP, CONCURRENCY);
}

const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN;
const scenarios = [
  { name: 'sequential whoami, µs/op', run: (c: Contender) => sequential(c.whoami, N) },
  { name: `${CONCURRENCY} concurrent whoami, req/s`, run: (c: Contender) => concurrent(c.whoami, N, CONCURRENCY) },
  { name: 'sequential send (PUT JSON), µs/op', run: (c: Contender) => sequential(c.send, N) },
];
const figures = scenarios.map(() => contenders.map(() => [] as Sample[]));
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the contenders within each round, to even out warm-up, GC and neighbours.
  for (const [s, scenario] of scenarios.entries()) {
    for (const [i, c] of contenders.entries()) figures[s]![i]!.push(await scenario.run(c));
  }
}
const table = figures.map((row) => row.map((samples) => median(samples.map((x) => x.value))));
const cpuTable = figures.map((row) => row.map((samples) => median(samples.map((x) => x.cpuUs))));

console.log(`node ${process.version}, ${N} requests per run, median of ${ROUNDS} alternating rounds, warm-up ${WARMUP}`);
const width = 28;
console.log(['scenario'.padEnd(36), ...contenders.map((c) => c.name.padStart(width))].join(''));
for (const [s, scenario] of scenarios.entries()) {
  console.log([scenario.name.padEnd(36), ...table[s]!.map((v) => v.toFixed(0).padStart(width))].join(''));
}
console.log('\nratios (time per request: lower is better; req/s: higher is better)');
console.log(['scenario'.padEnd(36), 'ours-undici / bare undici'.padStart(width), 'ours-fetch / bare fetch'.padStart(width), 'bare ky / bare fetch'.padStart(width)].join(''));
for (const [s, scenario] of scenarios.entries()) {
  const [undici, fetchBare, oursUndici, oursFetch, kyBare] = table[s]!;
  console.log([scenario.name.padEnd(36), (oursUndici! / undici!).toFixed(2).padStart(width), (oursFetch! / fetchBare!).toFixed(2).padStart(width), (kyBare! / fetchBare!).toFixed(2).padStart(width)].join(''));
}
console.log('\nCPU µs per request (this process, user + system, the local server included): less sensitive to neighbours');
console.log(['scenario'.padEnd(36), ...contenders.map((c) => c.name.padStart(width))].join(''));
for (const [s, scenario] of scenarios.entries()) {
  console.log([scenario.name.replace(/, .*/, '').padEnd(36), ...cpuTable[s]!.map((v) => v.toFixed(0).padStart(width))].join(''));
}
console.log(['ratio ours-undici / bare undici'.padEnd(36), ...cpuTable.map((row) => `${row[0]!.toFixed(0)}→${row[2]!.toFixed(0)}: ${(row[2]! / row[0]!).toFixed(2)}`.padStart(width))].join(''));
console.log(['ratio ours-fetch / bare fetch'.padEnd(36), ...cpuTable.map((row) => `${row[1]!.toFixed(0)}→${row[3]!.toFixed(0)}: ${(row[3]! / row[1]!).toFixed(2)}`.padStart(width))].join(''));
console.log(['ratio bare ky / bare fetch'.padEnd(36), ...cpuTable.map((row) => `${row[1]!.toFixed(0)}→${row[4]!.toFixed(0)}: ${(row[4]! / row[1]!).toFixed(2)}`.padStart(width))].join(''));
console.log('(CPU ratio columns, left to right: ' + scenarios.map((x) => x.name.replace(/, .*/, '')).join('; ') + ')');
console.log('\ntargets: 32-concurrent ours-undici >= 0.60x; sequential ours-undici <= 1.25x; ours-fetch <= 1.15x bare fetch');

await pool.close();
server.closeAllConnections();
server.close();
process.exit(0);
