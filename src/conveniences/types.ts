/**
 * What the conveniences take: any client with the API chain (a plain client, or
 * one acting as an appservice user through `client.as(userId)`).
 */
import type { MatrixClient } from '../client.js';
import type { RequestOptions } from '../transport/types.js';

/**
 * A client the conveniences can call: anything with the `api` chain.
 *
 * @example
 * ```ts
 * const bot: ClientWithApi = createClient({ baseUrl, accessToken });
 * ```
 */
export type ClientWithApi = Pick<MatrixClient, 'api'>;

/**
 * Options of a send: the request options, and the transaction id. A retried send
 * reuses its transaction id anyway; give one derived from what you answer (an
 * event id) to make a send after a restart idempotent too.
 *
 * @example
 * ```ts
 * await sendText(client, roomId, 'Hello', { txnId: `greet-${event.event_id}`, timeout: 10_000 });
 * ```
 */
export interface SendOptions extends RequestOptions {
  /** The transaction id; a fresh one when left out. */
  txnId?: string | undefined;
}
