/**
 * Reading a transaction body: safe JSON, the stable and unstable keys, and the
 * split into work items, each with the queue it runs in.
 */
import { isRecord as isObject } from '../is-record.js';
import type { AppserviceTransactionBody, WorkItemKind } from './types.js';

/** One unit of work of a transaction: its handlers run in its queue, in order. */
export interface WorkItem {
  /** Position in the transaction (events first, in order: an event's index is its position in `events`). */
  readonly index: number;
  readonly kind: WorkItemKind;
  /** `room:<roomId>`, `presence:<userId>`, `device:<userId>|<deviceId>`, `e2ee:…`. */
  readonly queue: string;
  readonly payload: unknown;
}

/** A body that is not a transaction. */
export class TransactionBodyError extends Error {
  override readonly name = 'TransactionBodyError';
  constructor(
    message: string,
    readonly errcode: 'M_NOT_JSON' | 'M_BAD_JSON',
  ) {
    super(message);
  }
}

function dropProtoKeys(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

/** A `\u` escape of a character of `__proto__` (`_`, `o`, `p`, `r`, `t`): the key may be spelt with it. */
const ESCAPED_PROTO_CHAR = /\\u00(?:5[fF]|6[fF]|7[024])/;

/**
 * Parses untrusted JSON. `JSON.parse` never sets a prototype, but a `__proto__` own key
 * would do so later in any `Object.assign` or `for…in` copy, so such keys are dropped.
 * `constructor` and `prototype` stay ordinary keys, as in the sync loop's data.
 * The reviver only runs when the text may hold the key at all, plainly or with an escaped
 * character (it costs on large bodies).
 */
export function parseUntrustedJson(text: string): unknown {
  return text.includes('__proto__') || ESCAPED_PROTO_CHAR.test(text) ? JSON.parse(text, dropProtoKeys) : JSON.parse(text);
}

/** Parses a transaction body; throws {@link TransactionBodyError} when it is not one. */
export function parseTransactionBody(text: string): AppserviceTransactionBody {
  let body: unknown;
  try {
    body = parseUntrustedJson(text);
  } catch {
    throw new TransactionBodyError('The body is not JSON', 'M_NOT_JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TransactionBodyError('The body is not a JSON object', 'M_BAD_JSON');
  }
  const events = (body as { events?: unknown }).events;
  if (!Array.isArray(events)) throw new TransactionBodyError('The transaction has no `events` array', 'M_BAD_JSON');
  return body as AppserviceTransactionBody;
}

function stringField(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const field = value[key];
  return typeof field === 'string' ? field : undefined;
}

function arrayField(body: Record<string, unknown>, ...keys: string[]): unknown[] {
  for (const key of keys) {
    const value = body[key];
    if (Array.isArray(value)) return value;
  }
  return [];
}

function objectField(body: Record<string, unknown>, ...keys: string[]): Record<string, unknown> | undefined {
  for (const key of keys) {
    const value = body[key];
    if (isObject(value)) return value;
  }
  return undefined;
}

/** The event ids of `events`, in order (`''` for an event without one). */
export function eventIdsOf(body: AppserviceTransactionBody): string[] {
  return (body.events as unknown[]).map((event) => stringField(event, 'event_id') ?? '');
}

/** The queue of an ephemeral event: its room when it has one, else its user (presence). */
function ephemeralQueue(event: unknown): string {
  const roomId = stringField(event, 'room_id');
  if (roomId !== undefined) return `room:${roomId}`;
  const sender = stringField(event, 'sender');
  return `presence:${sender ?? ''}`;
}

/**
 * Splits a transaction into work items: each event (queue: its room), each ephemeral event
 * (the stable `ephemeral` key, else `de.sorunome.msc2409.ephemeral`; queue: its room, or its
 * user for presence), each to-device message (queue: the target device), then the MSC3202
 * device lists, one-time key counts (either spelling) and unused fallback key types.
 * Entries that are not objects are left out; the split is deterministic, so indexes stay
 * valid across restarts.
 */
export function workItemsOf(body: AppserviceTransactionBody): WorkItem[] {
  const record = body as unknown as Record<string, unknown>;
  const items: WorkItem[] = [];
  let index = 0;
  for (const event of body.events as unknown[]) {
    const at = index++;
    if (!isObject(event)) continue;
    items.push({ index: at, kind: 'event', queue: `room:${stringField(event, 'room_id') ?? ''}`, payload: event });
  }
  for (const event of arrayField(record, 'ephemeral', 'de.sorunome.msc2409.ephemeral')) {
    const at = index++;
    if (!isObject(event)) continue;
    items.push({ index: at, kind: 'ephemeral', queue: ephemeralQueue(event), payload: event });
  }
  for (const message of arrayField(record, 'de.sorunome.msc2409.to_device')) {
    const at = index++;
    if (!isObject(message)) continue;
    const queue = `device:${stringField(message, 'to_user_id') ?? ''}|${stringField(message, 'to_device_id') ?? ''}`;
    items.push({ index: at, kind: 'toDevice', queue, payload: message });
  }
  const deviceLists = objectField(record, 'org.matrix.msc3202.device_lists');
  const lists = index++;
  if (deviceLists !== undefined) {
    const changed = Array.isArray(deviceLists['changed']) ? deviceLists['changed'].filter((u) => typeof u === 'string') : [];
    const left = Array.isArray(deviceLists['left']) ? deviceLists['left'].filter((u) => typeof u === 'string') : [];
    if (changed.length > 0 || left.length > 0) {
      items.push({ index: lists, kind: 'deviceLists', queue: 'e2ee:device_lists', payload: { changed, left } });
    }
  }
  const counts = objectField(
    record,
    'org.matrix.msc3202.device_one_time_keys_count',
    'org.matrix.msc3202.device_one_time_key_counts',
  );
  const otk = index++;
  if (counts !== undefined && Object.keys(counts).length > 0) {
    items.push({ index: otk, kind: 'otkCounts', queue: 'e2ee:keys', payload: { counts } });
  }
  const fallback = objectField(record, 'org.matrix.msc3202.device_unused_fallback_key_types');
  const fb = index++;
  if (fallback !== undefined && Object.keys(fallback).length > 0) {
    items.push({ index: fb, kind: 'fallbackKeys', queue: 'e2ee:keys', payload: { types: fallback } });
  }
  return items;
}

/** The keys of a transaction besides `events` that carry data (ephemeral, to-device, MSC3202). */
const OTHER_PARTS = [
  'ephemeral',
  'de.sorunome.msc2409.ephemeral',
  'de.sorunome.msc2409.to_device',
  'org.matrix.msc3202.device_lists',
  'org.matrix.msc3202.device_one_time_keys_count',
  'org.matrix.msc3202.device_one_time_key_counts',
  'org.matrix.msc3202.device_unused_fallback_key_types',
] as const;

/** The parts of a transaction besides `events` that hold something, as key and JSON pairs (`[]` when none). */
export function otherPartsOf(body: AppserviceTransactionBody): string[] {
  const record = body as unknown as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of OTHER_PARTS) {
    const value = record[key];
    if (Array.isArray(value) ? value.length > 0 : isObject(value) && Object.keys(value).length > 0) parts.push(key, JSON.stringify(value));
  }
  return parts;
}

/**
 * A 53-bit digest of the event ids (and of the other parts, when the transaction has any), as
 * 14 hex digits: it tells a retry (same content) from a new transaction under a reused id. Not
 * cryptographic: the homeserver is authenticated.
 */
export function digestEventIds(eventIds: readonly string[], otherParts: readonly string[] = []): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  // A transaction of events only digests as it always did, so stored digests stay valid.
  for (const id of otherParts.length === 0 ? eventIds : [...eventIds, '\u001e', ...otherParts]) {
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    // A separator, so ['ab'] and ['a', 'b'] differ.
    h1 = Math.imul(h1 ^ 0x1f, 2654435761);
    h2 = Math.imul(h2 ^ 0x1f, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return `${eventIds.length.toString(36)}.${value.toString(16).padStart(14, '0')}`;
}
