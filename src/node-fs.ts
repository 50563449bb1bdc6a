/**
 * File system helpers shared by the Node-only modules (the file stores, the
 * command line). Reachable from `matrix-fluent/node` and the CLI only.
 */
import { open } from 'node:fs/promises';

/**
 * Syncs a directory, so that a rename or a file created in it survives a power loss. It
 * throws when the directory cannot be opened or synced (some platforms, Windows among them,
 * cannot): each caller decides whether that matters. A failure to close the handle after a
 * successful sync is ignored (the sync is done).
 *
 * @example
 * ```ts
 * await rename(temporary, path);
 * await syncDirectory(dirname(path)); // or .catch(() => undefined) where the rename alone is enough
 * ```
 */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close().catch(() => undefined);
  }
}
