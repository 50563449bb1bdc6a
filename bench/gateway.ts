/**
 * Per-call cost of the gateway: the chain walk and the dispatch into a
 * transport that answers at once, against the floor measured in the same run,
 * which calls that transport directly with a prebuilt request.
 * Run: `npm run bench:gateway` (or `npx tsx bench/gateway.ts [calls]`). Prints figures only.
 */
import { GENERATED_TABLE, createDispatch } from '../src/gateway/dispatch.js';
import { chainNode } from '../src/gateway/proxy.js';
import type { ApiChain } from '../generated/chains.js';
import type { Calls } from '../src/gateway/call-types.js';
import type { RawResponse, Transport, TransportRequest } from '../src/transport/types.js';

const CALLS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 7;
const ROOM = '!bench:localhost';
const ANSWER = Promise.resolve({});

/** A transport that does no I/O: every call answers the same settled promise. */
let seen = 0;
const noop: Transport = {
  requestJson(request: TransportRequest): Promise<unknown> {
    seen += request.path.length;
    return ANSWER;
  },
  requestRaw(): Promise<RawResponse> {
    return Promise.reject(new Error('the gateway benchmark sends no binary routes'));
  },
};
const noMedia = { call: (): Promise<unknown> => Promise.reject(new Error('the gateway benchmark sends no media routes')) };
const api = chainNode(GENERATED_TABLE.trees.api, [], 'api', createDispatch(GENERATED_TABLE, noop, noMedia)) as ApiChain<Calls>;

const whoamiRequest: TransportRequest = {
  method: 'GET',
  route: 'GET /_matrix/client/v3/account/whoami',
  path: '/_matrix/client/v3/account/whoami',
  bodyKind: 'none',
  responseKind: 'json',
  safeToRetry: true,
  authenticated: true,
};
const message = { msgtype: 'm.text', body: 'hello' } as const;
const sendRequest: TransportRequest = {
  method: 'PUT',
  route: 'PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}',
  path: `/_matrix/client/v3/rooms/${encodeURIComponent(ROOM)}/send/m.room.message/mf.0.0`,
  body: message,
  bodyKind: 'json',
  responseKind: 'json',
  safeToRetry: true,
  authenticated: true,
};
const messagesQuery = { dir: 'b', limit: 10 } as const;
const messagesRequest: TransportRequest = {
  method: 'GET',
  route: 'GET /_matrix/client/v3/rooms/{roomId}/messages',
  path: `/_matrix/client/v3/rooms/${encodeURIComponent(ROOM)}/messages`,
  query: messagesQuery,
  bodyKind: 'none',
  responseKind: 'json',
  safeToRetry: true,
  authenticated: true,
};

interface Case {
  name: string;
  gateway: () => Promise<unknown>;
  floor: () => Promise<unknown>;
}

const cases: Case[] = [
  { name: 'whoami', gateway: () => api.account.whoami.get(), floor: () => noop.requestJson(whoamiRequest) },
  { name: 'send', gateway: () => api.rooms(ROOM).send('m.room.message').put(message), floor: () => noop.requestJson(sendRequest) },
  { name: 'messages (query)', gateway: () => api.rooms(ROOM).messages.get(messagesQuery), floor: () => noop.requestJson(messagesRequest) },
];

/** Nanoseconds per call of `fn`, awaited one after the other. */
async function perCall(fn: () => Promise<unknown>, calls: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await fn();
  return Number(process.hrtime.bigint() - start) / calls;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

console.log(`gateway per call, ${CALLS} awaited calls x ${ROUNDS} rounds, median (node ${process.version})`);
console.log(`  ${'call'.padEnd(18)} ${'gateway'.padStart(10)} ${'floor'.padStart(10)} ${'overhead'.padStart(10)}   ratio`);
for (const c of cases) {
  await perCall(c.gateway, CALLS / 4); // warm up
  await perCall(c.floor, CALLS / 4);
  const gateway: number[] = [];
  const floor: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    gateway.push(await perCall(c.gateway, CALLS));
    floor.push(await perCall(c.floor, CALLS));
  }
  const g = median(gateway);
  const f = median(floor);
  const ns = (v: number): string => `${v.toFixed(0)} ns`.padStart(10);
  console.log(`  ${c.name.padEnd(18)} ${ns(g)} ${ns(f)} ${ns(g - f)}   ${(g / f).toFixed(2)}x`);
}
if (seen === 0) throw new Error('no request reached the transport');
