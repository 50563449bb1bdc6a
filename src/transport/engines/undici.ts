/**
 * The undici engine as Node code gets it: undici is imported on the first
 * request, so that importing the package costs nothing more. Node only.
 */
import { registerEngine, type EngineRequest, type EngineResponse, type HttpEngine } from '../engine.js';
import type { UndiciEngineOptions } from './undici-pool-engine.js';

export type { UndiciEngineOptions } from './undici-pool-engine.js';

/**
 * Creates an undici engine: a keep-alive pool per origin. undici is loaded in the
 * background from here, not when the package is imported.
 * Call `close()` to release its sockets.
 *
 * @example
 * ```ts
 * import { createClient, createUndiciEngine } from 'matrix-fluent/node';
 * const engine = createUndiciEngine({ connections: 64 });
 * const client = createClient({ baseUrl, accessToken, engine });
 * // ... later
 * await engine.close?.();
 * ```
 */
export function createUndiciEngine(options: UndiciEngineOptions = {}): HttpEngine {
  let loaded: HttpEngine | undefined;
  let loading: Promise<HttpEngine> | undefined;
  const load = (): Promise<HttpEngine> =>
    (loading ??= import('./undici-pool-engine.js').then(({ createUndiciPoolEngine }) => (loaded = createUndiciPoolEngine(options))));
  // Start loading now, in the background: the first request should not wait for it.
  void load().catch(() => undefined);
  return {
    name: 'undici',
    send(request: EngineRequest): Promise<EngineResponse> {
      if (loaded !== undefined) return loaded.send(request);
      return load().then((engine) => engine.send(request));
    },
    async close(): Promise<void> {
      if (loading !== undefined) await (await loading).close?.();
    },
    async release(): Promise<void> {
      if (loading !== undefined) await (await loading).release?.();
    },
  };
}

/** Whether this runtime is Node with a version undici 7 supports (>= 20.18.1), not Bun or Deno. */
function undiciSupported(): boolean {
  const versions = (globalThis as { process?: { versions?: Record<string, string | undefined> } }).process?.versions;
  if (versions?.['node'] === undefined || versions['bun'] !== undefined || 'Deno' in globalThis) return false;
  const [major = 0, minor = 0, patch = 0] = versions['node'].split('.').map(Number);
  return major > 20 || (major === 20 && (minor > 18 || (minor === 18 && patch >= 1)));
}

/**
 * Makes `engine: 'undici'` available and, on a Node that supports it, the default
 * of every transport created afterwards. The package's Node entries call it.
 *
 * @example
 * ```ts
 * installUndiciEngine();
 * createClient({ baseUrl, accessToken }).transport; // on undici
 * ```
 */
export function installUndiciEngine(): void {
  if (undiciSupported()) registerEngine('undici', () => createUndiciEngine(), true);
}
