/**
 * Both HTTP engines for the transport, media and sync tests: each suite runs
 * once per engine (`describe.each(ENGINES)`), so that the engines are
 * interchangeable by proof. `createTransport` and `createClient` here put the
 * engine of the running block on every transport the tests build.
 */
import { beforeAll } from 'vitest';
import { createClient as createClientOn, type ClientOptions, type MatrixClient } from '../../src/client.js';
import { createTransport as createTransportOn, type HttpTransport } from '../../src/transport/http-transport.js';
import type { TransportOptions } from '../../src/transport/options.js';
import { installUndiciEngine } from '../../src/transport/engines/undici.js';
import type { SyncOptions } from '../../src/sync/types.js';
import type { SyncSeams, TransportSeams } from '../../src/internal/test-seams.js';

installUndiciEngine();

/** The built-in engines. */
export const ENGINES = ['fetch', 'undici'] as const;

/** A built-in engine's name. */
export type EngineName = (typeof ENGINES)[number];

const running: { engine: EngineName } = { engine: 'fetch' };

/** Makes `engine` the engine of the transports built by the tests of the enclosing block. */
export function useEngine(engine: EngineName): void {
  beforeAll(async () => {
    running.engine = engine;
    // Loaded once up front, so that a short per-attempt timeout does not time the module loader.
    if (engine === 'undici') await import('../../src/transport/engines/undici-pool-engine.js');
    else await import('ky');
  });
}

/** The engine of the running block. */
export function currentEngine(): EngineName {
  return running.engine;
}

/** Options with the running engine, unless the test gives its own fetch or engine. */
function withEngine<T extends TransportOptions>(options: T): T {
  if (options.fetch !== undefined || options.engine !== undefined) return options;
  return { ...options, engine: running.engine };
}

/** `createTransport` on the running engine (the tests' seams allowed beside the options). */
export function createTransport(options: TransportOptions & TransportSeams): HttpTransport {
  return createTransportOn(withEngine(options));
}

/** `createClient` on the running engine (the tests' seams allowed beside the options). */
export function createClient(options: ClientOptions & TransportSeams & { sync?: SyncOptions & SyncSeams }): MatrixClient {
  return createClientOn(withEngine(options));
}
