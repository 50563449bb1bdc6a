/**
 * Typed Matrix events, generated from the spec's event schemas.
 * @module
 */
export * from './types.js';
export { isEventOfType } from './guards.js';
