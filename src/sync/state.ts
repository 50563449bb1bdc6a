/**
 * The room state tracker: the current state of every joined room, kept up to
 * date from `/sync` and persisted with the sync position.
 */
import type { StateEvent } from '../events/types.js';
import type { SyncStore } from './store.js';
import { corruptedEntry } from './store-error.js';

/** A stored room: `[type, [[stateKey, event], …]][]`. Arrays, never objects keyed by event data. */
type StoredRoom = [string, [string, StateEvent][]][];

/**
 * Current room state by room, event type and state key.
 *
 * Fed by the sync loop: for each room, the `state` section first, then each
 * state event of the `timeline` just before its handlers run (so a handler sees
 * the state including its event). A left room is forgotten after its `leave`
 * handlers ran. Keys come from the network and are untrusted: everything is
 * kept in `Map`s, so an event type or state key such as `__proto__` or
 * `constructor` is an ordinary key and never reaches a prototype.
 *
 * @example
 * ```ts
 * const name = client.sync.state.getState(roomId, 'm.room.name', '')?.content.name;
 * ```
 */
export class RoomStateTracker {
  readonly #rooms = new Map<string, Map<string, Map<string, StateEvent>>>();
  /** Rooms changed since the last commit; removed rooms map to `undefined`. */
  readonly #dirty = new Set<string>();
  #indexDirty = false;

  /** Whether the tracker holds state for a room. */
  hasRoom(roomId: string): boolean {
    return this.#rooms.has(roomId);
  }

  /** The rooms with state. */
  roomIds(): string[] {
    return [...this.#rooms.keys()];
  }

  /**
   * The current state event of `type` and `stateKey` in a room.
   * @example
   * ```ts
   * const name = client.sync.state.getState(roomId, 'm.room.name')?.content.name;
   * ```
   */
  getState<T extends string>(roomId: string, type: T, stateKey = ''): StateEvent<T> | undefined {
    return this.#rooms.get(roomId)?.get(type)?.get(stateKey) as StateEvent<T> | undefined;
  }

  /** Every current state event of `type` in a room (e.g. all `m.room.member` events). */
  getAllStateForType<T extends string>(roomId: string, type: T): StateEvent<T>[] {
    const byKey = this.#rooms.get(roomId)?.get(type);
    return byKey === undefined ? [] : ([...byKey.values()] as StateEvent<T>[]);
  }

  /**
   * Applies one event if it is a state event (a string `type` and `state_key`);
   * returns whether it was applied. The sync loop's; not public.
   * @internal
   */
  apply(roomId: string, event: unknown): boolean {
    if (typeof event !== 'object' || event === null) return false;
    const { type, state_key: stateKey } = event as { type?: unknown; state_key?: unknown };
    if (typeof type !== 'string' || typeof stateKey !== 'string') return false;
    let room = this.#rooms.get(roomId);
    if (room === undefined) {
      room = new Map();
      this.#rooms.set(roomId, room);
      this.#indexDirty = true;
    }
    let byKey = room.get(type);
    if (byKey === undefined) {
      byKey = new Map();
      room.set(type, byKey);
    }
    byKey.set(stateKey, event as StateEvent);
    this.#dirty.add(roomId);
    return true;
  }

  /** @internal Starts tracking a room (with no state yet): it counts as known from now on. */
  ensureRoom(roomId: string): void {
    if (this.#rooms.has(roomId)) return;
    this.#rooms.set(roomId, new Map());
    this.#dirty.add(roomId);
    this.#indexDirty = true;
  }

  /** @internal Applies a list of events (non-state events are skipped). */
  applyAll(roomId: string, events: readonly unknown[] | undefined): void {
    if (events === undefined) return;
    for (const event of events) this.apply(roomId, event);
  }

  /** @internal Forgets a room (after leaving it). */
  forget(roomId: string): void {
    if (this.#rooms.delete(roomId)) {
      this.#dirty.add(roomId);
      this.#indexDirty = true;
    }
  }

  /** @internal Store key of the room index. */
  static indexKey(prefix: string): string {
    return `${prefix}.rooms`;
  }

  /** @internal Store key of one room's state. */
  static roomKey(prefix: string, roomId: string): string {
    return `${prefix}.room.${roomId}`;
  }

  /**
   * The store changes that persist what changed since the last commit (changed
   * rooms, forgotten rooms, the room index), to be written with `next_batch`.
   * @internal
   */
  pendingChanges(prefix: string): Map<string, unknown> {
    const changes = new Map<string, unknown>();
    for (const roomId of this.#dirty) {
      const room = this.#rooms.get(roomId);
      changes.set(RoomStateTracker.roomKey(prefix, roomId), room === undefined ? undefined : serializeRoom(room));
    }
    if (this.#indexDirty) changes.set(RoomStateTracker.indexKey(prefix), [...this.#rooms.keys()]);
    return changes;
  }

  /** @internal Marks the pending changes as written. */
  committed(): void {
    this.#dirty.clear();
    this.#indexDirty = false;
  }

  /** @internal Replaces the state with what the store holds. */
  async load(store: SyncStore, prefix: string): Promise<void> {
    this.#rooms.clear();
    this.committed();
    const indexKey = RoomStateTracker.indexKey(prefix);
    const index = await store.get(indexKey);
    if (index === undefined) return;
    if (!Array.isArray(index)) throw corruptedEntry(store, indexKey, 'the room index is not a list');
    for (const roomId of index) {
      if (typeof roomId !== 'string') continue;
      const roomKey = RoomStateTracker.roomKey(prefix, roomId);
      const stored = await store.get(roomKey);
      if (stored !== undefined && !Array.isArray(stored)) throw corruptedEntry(store, roomKey, 'the room state is not a list');
      const room = new Map<string, Map<string, StateEvent>>();
      if (Array.isArray(stored)) {
        for (const entry of stored as StoredRoom) {
          if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Array.isArray(entry[1])) continue;
          const byKey = new Map<string, StateEvent>();
          for (const pair of entry[1]) {
            if (Array.isArray(pair) && typeof pair[0] === 'string' && typeof pair[1] === 'object' && pair[1] !== null) {
              byKey.set(pair[0], pair[1]);
            }
          }
          room.set(entry[0], byKey);
        }
      }
      this.#rooms.set(roomId, room);
    }
  }
}

function serializeRoom(room: Map<string, Map<string, StateEvent>>): StoredRoom {
  const out: StoredRoom = [];
  for (const [type, byKey] of room) out.push([type, [...byKey]]);
  return out;
}
