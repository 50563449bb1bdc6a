import { isErrorNamed } from './guard.js';
import { MatrixSdkError } from './matrix-sdk-error.js';

/**
 * One problem an event validation found: where, what was expected, what was
 * found (described; a bounded excerpt at most).
 *
 * @example
 * ```ts
 * const issue: EventValidationIssue = { path: 'content.body', expected: 'present', found: 'missing' };
 * ```
 */
export interface EventValidationIssue {
  /** Where, from the event: `content.body`, `content["m.relates_to"].event_id`, `sender`. */
  readonly path: string;
  /** What the spec asks for there. */
  readonly expected: string;
  /** What was there, described. */
  readonly found: string;
}

/**
 * Event content (or an event) that does not match the spec's schema of its
 * type, refused by the opt-in validation (`matrix-fluent/validation`) before
 * any request was made: a caller's mistake, never retried. `issues` says where
 * and what; the message quotes the first few, bounded.
 *
 * @example
 * ```ts
 * try { await client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text' } as never); }
 * catch (error) { if (isEventValidationError(error)) console.warn(error.eventType, error.issues); }
 * ```
 */
export class EventValidationError extends MatrixSdkError {
  override name = 'EventValidationError';
  /** The event type whose content was checked. */
  readonly eventType: string;
  /** What was wrong, where. */
  readonly issues: readonly EventValidationIssue[];

  constructor(message: string, eventType: string, issues: readonly EventValidationIssue[]) {
    super(message);
    this.eventType = eventType;
    this.issues = issues;
  }
}

/**
 * Whether a value is an {@link EventValidationError}, across realms.
 *
 * @example
 * ```ts
 * if (isEventValidationError(error)) console.warn(error.issues[0]?.path);
 * ```
 */
export function isEventValidationError(value: unknown): value is EventValidationError {
  return isErrorNamed(value, 'EventValidationError');
}
