/**
 * matrix-fluent on Node (the `node` export condition of `matrix-fluent`): the
 * main entry, with the undici engine as the default of every client. undici
 * itself is imported on the first request.
 *
 * @example
 * ```ts
 * import { createClient } from 'matrix-fluent'; // on Node: this entry
 * const client = createClient({ baseUrl, accessToken }); // undici engine
 * ```
 * @module
 */
import { installUndiciEngine } from './transport/engines/undici.js';

installUndiciEngine();

export * from './index.js';
