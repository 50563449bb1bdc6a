/**
 * matrix-fluent for server runtimes (Node, Deno, Bun): everything of the main
 * entry, plus what needs a file system, and the undici engine (the default on Node).
 *
 * @example
 * ```ts
 * import { createClient, FileStore } from 'matrix-fluent/node';
 * const client = createClient({ baseUrl, accessToken, sync: { store: new FileStore('.bot-state') } });
 * ```
 * @module matrix-fluent/node
 */
import { installUndiciEngine } from './transport/engines/undici.js';

// Node code gets the undici engine by default, as through the main entry's `node` condition.
installUndiciEngine();

export * from './index.js';
export { FileStore } from './sync/file-store.js';
export { FileAppserviceStore, type FileAppserviceStoreOptions } from './appservice/file-store.js';
export { listenAppservice, type ListenAppserviceOptions, type AppserviceServer } from './appservice/listen.js';
export { loadRegistration } from './appservice/load-registration.js';
export { createUndiciEngine, type UndiciEngineOptions } from './transport/engines/undici.js';
