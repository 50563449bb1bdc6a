/**
 * `eventValidation()`: the validation object the client, the sync loop and the
 * application service receiver call, with its policies and counts.
 */
import { EventValidationError } from '../errors/event-validation-error.js';
import { contentIssues, eventIssues } from './validate.js';
import { summarise, type ValidationIssue } from './issue.js';
import type { EventShape, EventValidation, IncomingPolicy, IncomingVerdict, OutgoingPolicy, ValidationCounts } from './types.js';

/**
 * Options of {@link eventValidation}.
 *
 * @example
 * ```ts
 * const options: EventValidationOptions = { outgoing: 'throw', incoming: 'drop' };
 * ```
 */
export interface EventValidationOptions {
  /**
   * Outgoing content (sends, state, account data, to-device messages): `throw`
   * an `EventValidationError` before the request, `warn` and send, or `off`.
   * @default 'throw'
   */
  outgoing?: OutgoingPolicy | undefined;
  /**
   * Incoming events (the sync loop, the application service receiver): `warn`
   * and deliver, `drop` (handlers never see it; counted, published as `invalid`;
   * the position and the transaction go on), or `off`.
   * @default 'warn'
   */
  incoming?: IncomingPolicy | undefined;
}

const OUTGOING: ReadonlySet<string> = new Set<OutgoingPolicy>(['throw', 'warn', 'off']);
const INCOMING: ReadonlySet<string> = new Set<IncomingPolicy>(['warn', 'drop', 'off']);

/**
 * Makes the event validation a client takes (`createClient({ validate })`):
 * outgoing content is checked on the event-typed chains before the request,
 * incoming events in the sync loop and the application service receiver
 * before their handlers, against checks generated from the spec's event schemas.
 * Nothing of it is loaded unless this entry is imported.
 *
 * @example
 * ```ts
 * import { createClient } from 'matrix-fluent';
 * import { eventValidation } from 'matrix-fluent/validation';
 *
 * const client = createClient({ baseUrl, accessToken, validate: eventValidation({ outgoing: 'throw', incoming: 'drop' }) });
 * client.on('invalid', ({ type, issues }) => console.warn('dropped an invalid', type, issues));
 * ```
 */
export function eventValidation(options: EventValidationOptions = {}): EventValidation {
  const outgoing = options.outgoing ?? 'throw';
  const incoming = options.incoming ?? 'warn';
  if (!OUTGOING.has(outgoing)) throw new TypeError(`eventValidation: outgoing must be 'throw', 'warn' or 'off', got ${JSON.stringify(String(outgoing)).slice(0, 40)}`);
  if (!INCOMING.has(incoming)) throw new TypeError(`eventValidation: incoming must be 'warn', 'drop' or 'off', got ${JSON.stringify(String(incoming)).slice(0, 40)}`);
  const counts: ValidationCounts = { outgoingRejected: 0, outgoingWarned: 0, incomingDropped: 0, incomingWarned: 0 };
  return Object.freeze({
    outgoing,
    incoming,
    counts,
    checkOutgoing(type: string, content: unknown, route: string, warn: (line: string) => void, at = 'content', scrub?: (text: string) => string): void {
      if (outgoing === 'off') return;
      const issues: ValidationIssue[] = [];
      contentIssues(type, content, at, issues);
      if (issues.length === 0) return;
      const line = `Invalid ${safeType(type)} content for ${route}: ${summarise(issues)}`;
      if (outgoing === 'warn') {
        counts.outgoingWarned++;
        warn(`${line}; sent anyway`);
        return;
      }
      counts.outgoingRejected++;
      // No configured secret in an error: the refusal and its issues go through the client's scrub.
      if (scrub === undefined) throw new EventValidationError(line, type, issues);
      const scrubbed = issues.map((i) => ({ path: scrub(i.path), expected: scrub(i.expected), found: scrub(i.found) }));
      throw new EventValidationError(scrub(line), scrub(type), scrubbed);
    },
    checkIncoming(event: unknown, shape: EventShape, where: string, warn: (line: string) => void): IncomingVerdict | undefined {
      if (incoming === 'off') return undefined;
      const issues: ValidationIssue[] = [];
      try {
        eventIssues(event, shape, issues);
      } catch {
        // A check never stops delivery: an unexpected failure counts as no finding.
        return undefined;
      }
      if (issues.length === 0) return undefined;
      const raw = typeof event === 'object' && event !== null ? (event as { type?: unknown }).type : undefined;
      const type = typeof raw === 'string' ? raw : undefined;
      const action = incoming === 'drop' ? 'dropped' : 'warned';
      if (action === 'dropped') counts.incomingDropped++;
      else counts.incomingWarned++;
      try {
        warn(`${action === 'dropped' ? 'Dropped' : 'Delivering'} an invalid ${type === undefined ? 'event' : safeType(type)} event from ${where}: ${summarise(issues)}`);
      } catch {
        // A failing logger never stops delivery.
      }
      return { action, type, issues };
    },
  });
}

/** An event type, quoted and bounded, for a log line. */
function safeType(type: string): string {
  return JSON.stringify(type.length > 64 ? `${type.slice(0, 64)}…` : type);
}
