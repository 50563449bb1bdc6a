/**
 * createAppservice: the receiver of the homeserver's pushes.
 */
import type { Appservice, AppserviceOptions } from './types.js';

/**
 * Creates an application service: a web-standard receiver (`appservice.fetch`) with a durable
 * inbox, per-room ordered handlers, and clients acting as the namespace's users.
 *
 * @example
 * ```ts
 * import { createAppservice, MemoryAppserviceStore } from 'matrix-fluent';
 * const appservice = createAppservice({ registration, homeserverUrl, serverName, store: new MemoryAppserviceStore() });
 * appservice.on('m.room.message', (event, { roomId }) => console.log(roomId, event.sender));
 * await appservice.start();
 * ```
 */
export function createAppservice(options: AppserviceOptions): Appservice {
  void options;
  throw new Error('not implemented yet');
}
