/** Shared helpers of the transport tests. */
import type { HttpTransport } from '../../src/transport/http-transport.js';
import { createTransport } from './engines.js';
import type { TransportLogger, TransportOptions } from '../../src/transport/options.js';
import type { HttpMethod, TransportRequest } from '../../src/transport/types.js';
import type { TestServer } from './http-test-server.js';
import type { TransportSeams } from '../../src/internal/test-seams.js';

/** The access token of the tests; it must never show up in errors or logs. */
export const TOKEN = 'syt_dGVzdA_SuperSecretToken_0xDEADBEEF';

/** A sleep that records each delay and resolves at once (after a macrotask). */
export function recordingSleep(): { sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: (ms) => {
      delays.push(ms);
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** A logger that keeps every line (message and JSON of its context). */
export function recordingLogger(): { logger: TransportLogger; lines: string[] } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (message: string, context?: Record<string, unknown>): void => {
      lines.push(`${level} ${message} ${context === undefined ? '' : JSON.stringify(context)}`);
    };
  return { lines, logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') } };
}

/** A transport against a test server, with recorded sleeps and a silent logger unless given. */
export function transportFor(
  server: TestServer,
  options: Partial<TransportOptions> & TransportSeams = {},
): { transport: HttpTransport; delays: number[]; lines: string[] } {
  const { sleep, delays } = recordingSleep();
  const { logger, lines } = recordingLogger();
  const transport = createTransport({
    baseUrl: `${server.url}/`,
    accessToken: TOKEN,
    sleep,
    logger,
    ...options,
  });
  return { transport, delays, lines };
}

/** A request description as the gateway would build it. */
export function req(method: HttpMethod, path: string, extra: Partial<TransportRequest> = {}): TransportRequest {
  const hasBody = method === 'POST' || method === 'PUT';
  return {
    method,
    route: `${method} ${path}`,
    path,
    bodyKind: hasBody ? 'json' : 'none',
    ...(hasBody ? { body: {} } : {}),
    responseKind: 'json',
    safeToRetry: method !== 'POST',
    authenticated: true,
    ...extra,
  };
}

/** The rejection of a promise (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
