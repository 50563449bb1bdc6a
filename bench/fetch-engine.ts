/**
 * Where the fetch engine's time goes, without sockets: a `fetch` that builds its
 * `Request` as a real one does and answers the whoami from memory, and, over it,
 * the layers one at a time: a bare fetch; a fetch with a timeout signal (what the
 * attempt adds); the one ky call the engine makes (its hook sending the exchange)
 * with that signal; bare ky on its own default path; the client on the fetch engine.
 * Each figure is the CPU time per request, the median of 7 alternating rounds,
 * with its difference to the bare fetch measured in the same run.
 *
 * Run: `npm run bench:fetch-engine -- [requests]` (default 10000 per round).
 * Prints figures only; no target is asserted.
 */
import ky from 'ky';
import { createClient } from '../src/index.js';

const N = Number(process.argv[2] ?? 10_000);
const ROUNDS = 7;
const WARMUP = 3000;
const TIMEOUT = 60_000;

const bytes = new TextEncoder().encode(JSON.stringify({ user_id: '@bench:localhost', device_id: 'BENCH', is_guest: false }));
const answerHeaders = { 'content-type': 'application/json', 'content-length': String(bytes.byteLength) };
const memoryFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  new Request(input, init);
  return new Response(bytes, { headers: answerHeaders });
};
const base = 'http://127.0.0.1:8008';
const url = `${base}/_matrix/client/v3/account/whoami`;
const headers = { authorization: 'Bearer bench_token', accept: 'application/json', 'user-agent': 'matrix-fluent' };

/** Runs `send` with a fresh abort signal and its timer, as one attempt does. */
async function withTimeout<T>(send: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT);
  try {
    return await send(controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

// The ky instance as the engine builds it: ky's own policy off, a hook sending the exchange.
const engineKy = ky.create({
  retry: 0,
  throwHttpErrors: false,
  timeout: false,
  fetch: memoryFetch,
  hooks: { beforeRequest: [(request, options) => memoryFetch(request, options.context as RequestInit)] },
});
const plainKy = ky.create({ retry: 0, throwHttpErrors: false, timeout: false, fetch: memoryFetch });
const client = createClient({ baseUrl: base, accessToken: 'bench_token', fetch: memoryFetch });

const layers: [string, () => Promise<unknown>][] = [
  ['bare fetch', async () => (await memoryFetch(url, { headers })).json()],
  ['fetch + attempt timeout signal', () => withTimeout(async (signal) => (await memoryFetch(url, { headers, signal, redirect: 'manual' })).json())],
  [
    'the engine\'s ky call + signal',
    () => withTimeout(async (signal) => (await engineKy(url, { context: { headers, body: null, signal, redirect: 'manual' } })).json()),
  ],
  ['bare ky (its default path)', () => plainKy.get(url, { headers }).json()],
  ['ours (client on the fetch engine)', () => client.api.account.whoami.get()],
];

for (const [, run] of layers) for (let i = 0; i < WARMUP; i++) await run();
const samples = layers.map(() => [] as number[]);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, [, run]] of layers.entries()) {
    const start = process.cpuUsage();
    for (let n = 0; n < N; n++) await run();
    const used = process.cpuUsage(start);
    samples[i]!.push((used.user + used.system) / N);
  }
}
const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? NaN;
const figures = samples.map(median);
const bare = figures[0]!;
console.log(`node ${process.version}, ${N} requests per round, median of ${ROUNDS} alternating rounds, CPU µs per request`);
for (const [i, [name]] of layers.entries()) {
  const value = figures[i]!;
  console.log(`${name.padEnd(36)}${value.toFixed(1).padStart(8)}${`+${(value - bare).toFixed(1)}`.padStart(9)}`);
}
