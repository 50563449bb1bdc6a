/**
 * matrix-fluent/validation: opt-in validation of events against checks
 * generated from the spec's event schemas. The checks are a data table
 * (`generated/validators.ts`) that only this entry loads: an application
 * that does not import it pays nothing for it.
 *
 * @example
 * ```ts
 * import { createClient } from 'matrix-fluent';
 * import { eventValidation, validateEventContent } from 'matrix-fluent/validation';
 *
 * validateEventContent('m.room.message', { msgtype: 'm.text', body: 'hi' }).valid; // true
 * const client = createClient({ baseUrl, accessToken, validate: eventValidation({ incoming: 'drop' }) });
 * ```
 * @module
 */
export { eventValidation, type EventValidationOptions } from './policy.js';
export { validateEvent, validateEventContent, isCheckedEventType, type ValidationResult } from './validate.js';
export type { ValidationIssue } from './issue.js';
export type {
  EventShape,
  EventValidation,
  IncomingPolicy,
  IncomingVerdict,
  OutgoingPolicy,
  ValidationCounts,
} from './types.js';
export { EventValidationError, isEventValidationError, type EventValidationIssue } from '../errors/event-validation-error.js';
