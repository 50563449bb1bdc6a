/**
 * Helpers of the application service tests: a registration, an appservice over
 * a store, and requests as the homeserver sends them.
 */
import { createAppservice, MemoryAppserviceStore, type Appservice, type AppserviceOptions, type AppserviceStore } from '../../src/index.js';
import type { AppserviceRegistration } from '../../src/appservice/registration.js';
import type { AppserviceSeams } from '../../src/internal/test-seams.js';

export const HS_TOKEN = 'hs-token-secret-0123456789abcdef';
export const BASE = 'http://appservice.test';
export const silent = { debug() {}, info() {}, warn() {}, error() {} };

export const registration: AppserviceRegistration = {
  id: 'bridge',
  url: 'http://127.0.0.1:9',
  as_token: 'as-token-secret',
  hs_token: HS_TOKEN,
  sender_localpart: 'bridgebot',
  namespaces: { users: [{ regex: '@_bridge_.*:example\\.org', exclusive: true }], aliases: [], rooms: [] },
};

/** An appservice over a memory store (or the given one), not pinging, silent. */
export function makeAppservice(extra: Partial<AppserviceOptions> & AppserviceSeams = {}): Appservice {
  return createAppservice({
    registration,
    homeserverUrl: 'http://127.0.0.1:9',
    serverName: 'example.org',
    store: extra.store ?? new MemoryAppserviceStore(),
    pingOnStart: false,
    logger: silent,
    ...extra,
  });
}

/** A started appservice. */
export async function started(extra: Partial<AppserviceOptions> & AppserviceSeams = {}): Promise<Appservice> {
  const appservice = makeAppservice(extra);
  await appservice.start();
  return appservice;
}

/** A room message event. */
export function message(n: number | string, roomId = '!room:example.org', body = `m${n}`): Record<string, unknown> {
  return {
    type: 'm.room.message',
    event_id: `$e${n}`,
    room_id: roomId,
    sender: '@alice:example.org',
    origin_server_ts: 1,
    content: { msgtype: 'm.text', body },
  };
}

/** `PUT /_matrix/app/v1/transactions/{txnId}` with the header token. */
export function putTransaction(txnId: string, body: unknown, init: { token?: string | null; path?: string } = {}): Request {
  const token = init.token === undefined ? HS_TOKEN : init.token;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const path = init.path ?? `/_matrix/app/v1/transactions/${encodeURIComponent(txnId)}`;
  return new Request(BASE + path, { method: 'PUT', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** A GET (or other bodiless request) with the header token. */
export function request(method: string, path: string, token: string | null = HS_TOKEN): Request {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  return new Request(BASE + path, { method, headers });
}

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/**
 * The appservice's one wait (its `sleep` seam), controlled by a test: each wait is recorded
 * with its duration and signal, and elapses only when the test calls its `elapse`.
 */
export function controlledSleep(): {
  sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  waits: { ms: number; signal: AbortSignal | undefined; elapse: () => void }[];
  /** Resolves once `count` waits have begun. */
  begun: (count: number) => Promise<void>;
} {
  const waits: { ms: number; signal: AbortSignal | undefined; elapse: () => void }[] = [];
  const watchers: { count: number; resolve: () => void }[] = [];
  const notify = (): void => {
    for (const w of watchers.filter((x) => waits.length >= x.count)) {
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  };
  return {
    waits,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        waits.push({ ms, signal, elapse: resolve });
        notify();
      }),
    begun: (count) =>
      new Promise<void>((resolve) => {
        watchers.push({ count, resolve });
        notify();
      }),
  };
}

/** Resolves once `count` values were collected by `push`. */
export function collector<T>(count: number): { push: (value: T) => void; values: T[]; done: Promise<T[]> } {
  const values: T[] = [];
  const { promise, resolve } = deferred<T[]>();
  return {
    values,
    done: promise,
    push(value: T) {
      values.push(value);
      if (values.length === count) resolve(values);
    },
  };
}

export type { AppserviceStore };
