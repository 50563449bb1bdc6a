/**
 * Reading what the relation builders need from an {@link EventReference}:
 * the id, the sender, and the relation the event itself carries.
 */
import { isRecord } from '../is-record.js';
import type { EventReference } from './types.js';

/** What a builder knows of the event it points at. */
export interface ReferencedEvent {
  eventId: string;
  sender: string | undefined;
  stateKey: string | undefined;
  /** The event's content, when it was given. */
  content: Record<string, unknown> | undefined;
  /** The event's own `m.relates_to`, when it has one. */
  relation: Record<string, unknown> | undefined;
}

/** Reads an event reference, refusing one without a usable event id. */
export function referenced(target: EventReference, what: string): ReferencedEvent {
  const eventId = typeof target === 'string' ? target : target.event_id;
  if (typeof eventId !== 'string' || !eventId.startsWith('$')) {
    throw new TypeError(`${what}: an event id starts with '$', got ${JSON.stringify(eventId)}`);
  }
  if (typeof target === 'string') return { eventId, sender: undefined, stateKey: undefined, content: undefined, relation: undefined };
  const content = isRecord(target.content) ? target.content : undefined;
  const relation = content !== undefined && isRecord(content['m.relates_to']) ? content['m.relates_to'] : undefined;
  return {
    eventId,
    sender: typeof target.sender === 'string' ? target.sender : undefined,
    stateKey: typeof target.state_key === 'string' ? target.state_key : undefined,
    content,
    relation,
  };
}

/** The root of the thread an event is in, when its relation says it is in one. */
export function threadRootOf(event: ReferencedEvent): string | undefined {
  const relation = event.relation;
  if (relation?.['rel_type'] !== 'm.thread') return undefined;
  const root = relation['event_id'];
  return typeof root === 'string' ? root : undefined;
}

/** The content without its `m.relates_to` (a copy; the caller's object is not changed). */
export function withoutRelation<C extends object>(content: C): C {
  if (!Object.hasOwn(content, 'm.relates_to')) return content;
  const { 'm.relates_to': _relation, ...rest } = content as C & { 'm.relates_to'?: unknown };
  return rest as C;
}

/** Refuses a content that already has a relation: an event has one `m.relates_to`. */
export function assertNoRelation(content: object, what: string): void {
  if (Object.hasOwn(content, 'm.relates_to')) {
    throw new TypeError(`${what}: the content already has an m.relates_to (an event has one relation); build it from a content without one`);
  }
}
