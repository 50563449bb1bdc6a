/**
 * Validation of event content and of whole events against the generated
 * table: pure functions, no policy.
 */
import { EVENT_CHECK_NODES, EVENT_CONTENT_CHECKS, EVENT_ENVELOPE_CHECKS } from '../../generated/validators.js';
import { CheckRunner } from './run.js';
import { describe, type ValidationIssue } from './issue.js';
import type { EventShape } from './types.js';
import { isRecord } from '../is-record.js';

/**
 * The outcome of a validation: `valid`, and the issues when not.
 *
 * @example
 * ```ts
 * const result: ValidationResult = validateEventContent('m.room.message', { msgtype: 'm.text', body: 'hi' });
 * if (!result.valid) console.warn(result.issues);
 * ```
 */
export interface ValidationResult {
  readonly valid: boolean;
  readonly issues: readonly ValidationIssue[];
}

const VALID: ValidationResult = Object.freeze({ valid: true, issues: Object.freeze([]) });

const runner = new CheckRunner(EVENT_CHECK_NODES);

function result(issues: ValidationIssue[]): ValidationResult {
  return issues.length === 0 ? VALID : { valid: false, issues };
}

/**
 * Whether the spec defines checks for an event type. Types it does not define
 * (custom `com.example.*` types, and `m.` types newer than the spec the SDK was
 * generated from) pass every validation.
 *
 * @example
 * ```ts
 * isCheckedEventType('m.room.message'); // true
 * isCheckedEventType('com.example.custom'); // false
 * ```
 */
export function isCheckedEventType(type: string): boolean {
  return Object.hasOwn(EVENT_CONTENT_CHECKS, type);
}

/** Collects the issues of content of `type` into `out`, paths under `path`. */
export function contentIssues(type: string, content: unknown, path: string, out: ValidationIssue[]): void {
  if (!Object.hasOwn(EVENT_CONTENT_CHECKS, type)) return;
  runner.check(EVENT_CONTENT_CHECKS[type]![1], content, path, out);
}

/**
 * Checks the content of an event of `type` against the spec's schema: required
 * keys, types, enumerated values, nested objects and arrays, and the Matrix id
 * formats (user, room and event ids, room aliases, mxc URIs, server names).
 * Keys the spec does not list are allowed; a type the spec does not define passes.
 *
 * @example
 * ```ts
 * import { validateEventContent } from 'matrix-fluent/validation';
 * const { valid, issues } = validateEventContent('m.room.message', { msgtype: 'm.text', body: 'hello' });
 * ```
 */
export function validateEventContent(type: string, content: unknown): ValidationResult {
  const out: ValidationIssue[] = [];
  contentIssues(type, content, 'content', out);
  return result(out);
}

function envelopeOf(kind: string, shape: EventShape): number {
  if (shape === 'basic' || kind === 'other') return EVENT_ENVELOPE_CHECKS.event;
  if (kind === 'state') return shape === 'sync' ? EVENT_ENVELOPE_CHECKS.syncState : EVENT_ENVELOPE_CHECKS.state;
  return shape === 'sync' ? EVENT_ENVELOPE_CHECKS.syncRoom : EVENT_ENVELOPE_CHECKS.room;
}

function isRedacted(event: Record<string, unknown>): boolean {
  return isRecord(event.unsigned) && Object.hasOwn(event.unsigned, 'redacted_because');
}

/**
 * Checks a whole event: its envelope (`type`, `content`, and for room events
 * `event_id`, `sender`, `origin_server_ts`, `room_id` unless `shape` is `sync`,
 * `state_key` for state events), the keys its type's schema adds (an empty
 * `state_key` where the spec says so, a member's `state_key` a user id, a
 * redaction's `redacts` an event id) and its content. A redacted event (with
 * `unsigned.redacted_because`) has its envelope checked, not its content, which
 * redaction emptied. An event whose type the spec does not define passes.
 *
 * @example
 * ```ts
 * import { validateEvent } from 'matrix-fluent/validation';
 * const { valid } = validateEvent(event, { shape: 'sync' });
 * ```
 */
export function validateEvent(event: unknown, options?: { shape?: EventShape }): ValidationResult {
  const out: ValidationIssue[] = [];
  eventIssues(event, options?.shape ?? 'event', out);
  return result(out);
}

/** Collects the issues of a whole event into `out`. */
export function eventIssues(event: unknown, shape: EventShape, out: ValidationIssue[]): void {
  if (!isRecord(event)) {
    out.push({ path: '', expected: 'an event object', found: describe(event) });
    return;
  }
  const type = event.type;
  if (typeof type !== 'string') {
    out.push({ path: 'type', expected: 'a string', found: describe(type) });
    return;
  }
  if (!Object.hasOwn(EVENT_CONTENT_CHECKS, type)) return;
  const [kind, content, own] = EVENT_CONTENT_CHECKS[type]!;
  runner.check(envelopeOf(kind, shape), event, '', out);
  if (own !== undefined && out.length === 0) runner.check(own, event, '', out);
  if (out.length === 0 && !isRedacted(event)) runner.check(content, event.content, 'content', out);
}
