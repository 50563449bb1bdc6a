/**
 * The sync loop, its store and the room state tracker.
 * @module
 */
export { SyncLoop, type SyncApi, type SyncState } from './loop.js';
export { MemoryStore, type SyncStore } from './store.js';
export { RoomStateTracker } from './state.js';
export { SyncStoreError, isSyncStoreError, type SyncStoreProblem } from './store-error.js';
export type * from './types.js';
