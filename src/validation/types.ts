/**
 * The seam between the client and the opt-in validation: types only, so that
 * the main entry names it without loading a single check. The object comes
 * from `eventValidation()` of `matrix-fluent/validation`.
 */
import type { EventValidationIssue } from '../errors/event-validation-error.js';

/**
 * What to do with outgoing content that does not match the spec: `throw` an
 * `EventValidationError` before any request (the default), `warn` through the
 * client's logger and send it anyway, or `off`.
 *
 * @example
 * ```ts
 * eventValidation({ outgoing: 'warn' satisfies OutgoingPolicy });
 * ```
 */
export type OutgoingPolicy = 'throw' | 'warn' | 'off';

/**
 * What to do with an incoming event that does not match the spec: `warn`
 * through the logger and deliver it (the default), `drop` it (handlers never
 * see it; it is counted and reported as `invalid`; the sync position and the
 * transaction go on as if it had been handled), or `off`.
 *
 * @example
 * ```ts
 * eventValidation({ incoming: 'drop' satisfies IncomingPolicy });
 * ```
 */
export type IncomingPolicy = 'warn' | 'drop' | 'off';

/**
 * The shape an event is checked against: `event` (the full room event, with
 * `room_id`, as the API and application service transactions give it), `sync`
 * (a room event of `/sync`, without `room_id`), `basic` (only `type` and
 * `content`: account data, ephemeral, to-device and presence events).
 *
 * @example
 * ```ts
 * validateEvent(event, { shape: 'sync' satisfies EventShape });
 * ```
 */
export type EventShape = 'event' | 'sync' | 'basic';

/**
 * The outcome of an incoming check that found issues.
 *
 * @example
 * ```ts
 * const verdict: IncomingVerdict | undefined = validate.checkIncoming(event, 'sync', 'a test', console.warn);
 * if (verdict?.action === 'dropped') console.warn(verdict.issues);
 * ```
 */
export interface IncomingVerdict {
  /** `dropped`: handlers do not get the event; `warned`: they do. */
  readonly action: 'dropped' | 'warned';
  /** The event's type, when it has a string one. */
  readonly type: string | undefined;
  /** What was wrong, where. */
  readonly issues: readonly EventValidationIssue[];
}

/**
 * How many events and contents the validation refused or warned about, since it was made.
 *
 * @example
 * ```ts
 * const { incomingDropped }: ValidationCounts = validate.counts;
 * ```
 */
export interface ValidationCounts {
  /** Outgoing contents refused (`throw`). */
  outgoingRejected: number;
  /** Outgoing contents sent with a warning (`warn`). */
  outgoingWarned: number;
  /** Incoming events dropped (`drop`). */
  incomingDropped: number;
  /** Incoming events delivered with a warning (`warn`). */
  incomingWarned: number;
}

/**
 * An event validation, as `createClient({ validate })` and
 * `createAppservice({ client: { validate } })` take it: made by `eventValidation()`
 * of `matrix-fluent/validation`.
 *
 * @example
 * ```ts
 * import { eventValidation } from 'matrix-fluent/validation';
 * const client = createClient({ baseUrl, accessToken, validate: eventValidation({ incoming: 'drop' }) });
 * ```
 */
export interface EventValidation {
  /** The policy for outgoing content. */
  readonly outgoing: OutgoingPolicy;
  /** The policy for incoming events. */
  readonly incoming: IncomingPolicy;
  /** What was refused or warned about so far. */
  readonly counts: Readonly<ValidationCounts>;
  /**
   * Checks content about to be sent as `type` on `route` (a route template,
   * never a filled path). Throws `EventValidationError` under `throw`; under
   * `warn` calls `warn` with one scrubbed-safe line. `at` prefixes the paths
   * (`messages["@u:x"].DEVICE` for a to-device message). `scrub`, when given,
   * is applied to the refusal's message and to each issue it carries.
   */
  checkOutgoing(type: string, content: unknown, route: string, warn: (line: string) => void, at?: string, scrub?: (text: string) => string): void;
  /**
   * Checks an incoming event. `undefined` when it passes (or the policy is
   * `off`); else what to do, after calling `warn` with one line under `warn`.
   * Never throws.
   */
  checkIncoming(event: unknown, shape: EventShape, where: string, warn: (line: string) => void): IncomingVerdict | undefined;
}

/**
 * An event validation with the sink its warning lines go to (the client's
 * logger, scrubbed): what the client hands its gateway and its sync loop.
 *
 * @example
 * ```ts
 * const hook: ValidationHook = { validate: eventValidation({ incoming: 'drop' }), warn: (line) => console.warn(line) };
 * const loop = new SyncLoop(api, {}, hook);
 * ```
 */
export interface ValidationHook {
  readonly validate: EventValidation;
  readonly warn: (line: string) => void;
  /** The client's scrubbing rule, applied to an outgoing refusal (its message and issues). */
  readonly scrub?: ((text: string) => string) | undefined;
}
