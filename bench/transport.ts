/**
 * Overhead of the transport over a bare fetch, against one local node:http
 * server answering `{}`. Run: `npx tsx bench/transport.ts [requests]`.
 * Prints figures only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTransport } from '../src/transport/http-transport.js';
import { createClient } from '../src/client.js';
import type { TransportRequest } from '../src/transport/types.js';

const N = Number(process.argv[2] ?? 2000);
const CONCURRENCY = 32;
const WARMUP = 300;

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
  res.end('{}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const path = '/_matrix/client/v3/account/whoami';

const transport = createTransport({ baseUrl: base, accessToken: 'bench_token_0123456789' });
const request: TransportRequest = {
  method: 'GET',
  route: `GET ${path}`,
  path,
  bodyKind: 'none',
  responseKind: 'json',
  safeToRetry: true,
  authenticated: true,
};

const bare = async (): Promise<void> => {
  const response = await fetch(base + path, {
    headers: { authorization: 'Bearer bench_token_0123456789', accept: 'application/json' },
  });
  await response.json();
};
const viaTransport = async (): Promise<void> => {
  await transport.requestJson(request);
};
// The whole client: chain resolution, argument reading, path encoding, then the transport.
const client = createClient({ baseUrl: base, accessToken: 'bench_token_0123456789' });
const viaClient = async (): Promise<void> => {
  await client.api.account.whoami.get();
};

async function sequential(fn: () => Promise<void>, n: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return (performance.now() - started) / n;
}

async function concurrent(fn: () => Promise<void>, n: number, width: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        next++;
        await fn();
      }
    }),
  );
  return (performance.now() - started) / n;
}

await sequential(bare, WARMUP);
await sequential(viaTransport, WARMUP);
await sequential(viaClient, WARMUP);

const ROUNDS = 3;
const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN;

/** Alternates the two clients for a few rounds and keeps the median of each, to even out warm-up and GC. */
async function compare(run: (fn: () => Promise<void>) => Promise<number>): Promise<[number, number, number]> {
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    a.push(await run(bare));
    b.push(await run(viaTransport));
    c.push(await run(viaClient));
  }
  return [median(a), median(b), median(c)];
}

const rows: [string, number, number, number][] = [];
rows.push([`sequential (${N})`, ...(await compare((fn) => sequential(fn, N)))]);
rows.push([`concurrent x${CONCURRENCY} (${N})`, ...(await compare((fn) => concurrent(fn, N, CONCURRENCY)))]);

console.log(`node ${process.version}, ${N} requests per run, median of ${ROUNDS} alternating rounds, warm-up ${WARMUP}`);
console.log('scenario'.padEnd(26), 'fetch ms/req'.padStart(13), 'transport ms/req'.padStart(17), 'ratio'.padStart(7), 'client ms/req'.padStart(14), 'ratio'.padStart(7));
for (const [name, a, b, c] of rows) {
  console.log(name.padEnd(26), a.toFixed(3).padStart(13), b.toFixed(3).padStart(17), (b / a).toFixed(2).padStart(7), c.toFixed(3).padStart(14), (c / a).toFixed(2).padStart(7));
}
server.close();
server.closeAllConnections();
