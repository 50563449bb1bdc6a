/**
 * The canary sweep: a token planted everywhere a hostile server or a failing
 * socket can put it (raw, JSON-escaped, percent-encoded, cut at a limit, in
 * secret-named fields) never shows in any error kind, log line or hook state,
 * however they are printed.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { HttpEngine } from '../../src/transport/engine.js';
import type { TransportHookState, TransportLogger } from '../../src/transport/options.js';
import { createScrubber, scrubbingLogger } from '../../src/transport/scrub.js';
import { createClient, createTransport, ENGINES, useEngine } from './engines.js';
import { recordingSleep, rejection, req } from './fixtures.js';
import { type Handler, useTestServers } from './http-test-server.js';

const CANARY = 'syt_Y2FuYXJ5_q8ZkR2vLx7WmT4nB_1f9e3a';
/** The canary as `\uXXXX` escapes, as a server may write it in a JSON string. */
const ESCAPED = [...CANARY].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
const PERCENT = [...CANARY].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');

/** Fails when any 8 characters in a row of the canary, in any encoding, are in `text`. */
function expectNoCanary(text: string, where: string): void {
  const decoded = text.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  let unescaped = decoded;
  try {
    unescaped = decodeURIComponent(decoded);
  } catch {
    // not percent-encoded text
  }
  for (const form of [text, decoded, unescaped]) {
    for (let i = 0; i + 8 <= CANARY.length; i++) {
      if (form.includes(CANARY.slice(i, i + 8))) throw new Error(`${where} holds "${CANARY.slice(i, i + 8)}" of the canary: ${form.slice(0, 400)}`);
    }
  }
}

/**
 * Credentials that are not the transport's own token, so only their field names
 * can give them away: an application service registration's, a login's.
 */
const FIELD_SECRETS = ['as_Zk3vQ9xLr2MwT8nB', 'hs_Pj6cW1yHs5KdF0gE', 'syr_Nm4bV7tRq2XcL9aZ', 'login_Ux8eD3kGw6JpS1hY'];
/** A pagination position: no credential, and readable wherever it shows. */
const PAGE = 's72594_4483_1934_12_Xq7';

/** Fails when any 8 characters in a row of a field secret are in `text`. */
function expectNoFieldSecret(text: string, where: string): void {
  for (const secret of FIELD_SECRETS) {
    for (let i = 0; i + 8 <= secret.length; i++) {
      if (text.includes(secret.slice(i, i + 8))) throw new Error(`${where} holds "${secret.slice(i, i + 8)}" of ${secret.slice(0, 3)}...: ${text.slice(0, 400)}`);
    }
  }
}

/** Every way an error or a state is printed. */
function printed(value: unknown): string[] {
  const out = [String(value), inspect(value, { depth: Infinity, showHidden: false }), JSON.stringify(value) ?? ''];
  if (value instanceof Error) {
    out.push(value.stack ?? '', value.message);
    let cause: unknown = value.cause;
    for (let depth = 0; cause !== undefined && depth < 5; depth++) {
      out.push(String(cause), inspect(cause, { depth: Infinity }), cause instanceof Error ? (cause.stack ?? '') : '');
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return out;
}

/** Text that a cut after `limit` characters goes through, 12 characters into the canary. */
function cutThrough(limit: number): string {
  return `${'x'.repeat(limit - 12)}${CANARY}${'y'.repeat(200)}`;
}

const routes: Record<string, Handler> = {
  // A JSON error: the canary JSON-escaped in its text, raw in a field, fresh tokens in secret-named fields.
  '/json-error': (_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(`{"errcode":"M_FORBIDDEN","error":"bad token \\"${ESCAPED}\\" from ${PERCENT}","echo":"${CANARY}","access_token":"syt_fresh_access_0000","refresh_token":"syr_fresh_refresh_0000","auth":{"password":"hunter2hunter2"}}`);
  },
  // An error body over the limit, cut inside the canary.
  '/cut-error': (_req, res) => {
    res.writeHead(500, { 'content-type': 'text/html' });
    res.end(cutThrough(1024));
  },
  // A JSON error over the limit, cut inside an escaped canary; its errcode is read from the prefix.
  '/cut-json-error': (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(`{"errcode":"M_UNKNOWN_TOKEN","error":"no","session":"s1","pad":"${'p'.repeat(900)}","echo":"${ESCAPED}${'q'.repeat(400)}"}`);
  },
  // An error whose text quotes an application service registration (YAML) and a login answer, beside a pagination position.
  '/registration-error': (_req, res) => {
    res.writeHead(500, { 'content-type': 'application/json' });
    const registration = `id: bridge\nas_token: ${FIELD_SECRETS[0]}\nhs_token: "${FIELD_SECRETS[1]}"\nsender_localpart: bot`;
    res.end(JSON.stringify({ errcode: 'M_UNKNOWN', error: `bad registration:\n${registration}\nlogin gave {"refresh_token": "${FIELD_SECRETS[2]}"}`, next_token: PAGE }));
  },
  // The same as plain text, in YAML flow style, with a login token in the query of a quoted URL.
  '/registration-text': (_req, res) => {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`{id: bridge, as_token: '${FIELD_SECRETS[0]}', hs_token: ${FIELD_SECRETS[1]}} at /login?loginToken=${FIELD_SECRETS[3]}&next_token=${PAGE}`);
  },
  '/limited': (_req, res) => {
    res.writeHead(429, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errcode: 'M_LIMIT_EXCEEDED', error: `slow down ${CANARY}`, retry_after_ms: 10 }));
  },
  // A 200 that is not JSON, cut at the excerpt limit inside the canary.
  '/not-json': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`not json ${cutThrough(1024 - 9)}`);
  },
  // A 200 whose JSON text is escaped canary (and so is the parser's message about it).
  '/escaped-not-json': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"a":"${ESCAPED}",}`);
  },
  // A 200 that is JSON but not an object.
  '/string': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(`${CANARY} and "access_token": "${CANARY}"`));
  },
  '/big': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ a: 'z'.repeat(4096) }));
  },
  '/reset': (req) => {
    req.socket.destroy();
  },
  '/hang': () => {
    // never answers
  },
};

const start = useTestServers();

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  it('no error kind, log line or hook state holds the token, printed with String, util.inspect, JSON.stringify or .stack', async () => {
    const server = await start((req, res, ctx) => {
      const path = (req.url ?? '').split('?')[0]!.split('/').pop() ?? '';
      const handler = routes[`/${path}`] ?? routes['/json-error']!;
      return handler(req, res, ctx);
    });
    const lines: string[] = [];
    const keep = (level: string) => (message: string, context?: Record<string, unknown>) => void lines.push(level, message, inspect(context, { depth: Infinity }), JSON.stringify(context) ?? '');
    const logger: TransportLogger = { debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
    const states: TransportHookState[] = [];
    const hook = (state: TransportHookState): void => void states.push(state);
    const { sleep } = recordingSleep();
    const options = {
      baseUrl: server.url,
      accessToken: CANARY,
      sleep,
      logger,
      maxErrorBodyBytes: 1024,
      hooks: { beforeRequest: hook, afterResponse: hook, beforeRetry: hook },
    };
    const transport = createTransport(options);
    // The token also rides in the path (percent-encoded), the query and a JSON body.
    const inPath = `/_matrix/client/v3/rooms/${encodeURIComponent(CANARY)}`;
    const query = { access_token: CANARY, note: `see ${CANARY}`, login_token: FIELD_SECRETS[3]!, next_token: PAGE };
    const body = { password: 'hunter2hunter2', note: CANARY, auth: { type: 'm.login.password', password: 'x' } };
    const calls = [
      transport.requestJson(req('POST', `${inPath}/json-error`, { query, body, safeToRetry: true })),
      transport.requestJson(req('GET', `${inPath}/cut-error`, { query, options: { retry: 0 } })),
      transport.requestJson(req('GET', `${inPath}/cut-json-error`, { query })),
      transport.requestJson(req('GET', `${inPath}/registration-error`, { query, options: { retry: 0 } })),
      transport.requestJson(req('GET', `${inPath}/registration-text`, { query, options: { retry: 1 } })),
      transport.requestJson(req('GET', `${inPath}/limited`, { query, options: { ignoreRateLimit: true } })),
      transport.requestJson(req('GET', `${inPath}/not-json`, { query })),
      transport.requestJson(req('GET', `${inPath}/escaped-not-json`, { query })),
      transport.requestJson(req('GET', `${inPath}/string`, { query })),
      transport.requestJson(req('GET', `${inPath}/big`, { query, options: { maxResponseBytes: 1024 } })),
      transport.requestJson(req('GET', `${inPath}/reset`, { query, options: { retry: 1 } })),
      transport.requestJson(req('GET', `${inPath}/hang`, { query, options: { timeout: 50, retry: 0 } })),
    ];
    const errors: Error[] = [];
    for (const settled of await Promise.allSettled(calls)) errors.push(settled.status === 'rejected' ? (settled.reason as Error) : new Error('resolved'));
    // A failure below the transport whose message and cause quote the token and the header.
    const leaky: HttpEngine = {
      name: 'leaky',
      send: (request) => {
        throw new TypeError(`socket failed sending ${request.headers['authorization'] ?? ''}`, { cause: new Error(`"${ESCAPED}" ${PERCENT}`) });
      },
    };
    errors.push(await rejection(createTransport({ ...options, engine: leaky }).requestJson(req('GET', '/x', { options: { retry: 0 } }))));
    // The gateway's own call errors.
    const client = createClient({ baseUrl: server.url, accessToken: CANARY, sleep, logger });
    errors.push(await rejection(client.api.rooms(CANARY).state('m.room.name', '.').put({} as never)));
    errors.push(await rejection(client.api.rooms(CANARY).ban.post(null as never)));
    // Chain errors, thrown where the chain is written, quote path values.
    const thrown = (fn: () => unknown): Error => {
      try {
        fn();
      } catch (error) {
        return error as Error;
      }
      return new Error('no throw');
    };
    errors.push(thrown(() => (client.api.rooms(CANARY) as unknown as { bann: unknown }).bann));
    errors.push(thrown(() => (client.api.rooms as unknown as (...a: string[]) => unknown)(CANARY, `${CANARY}x`, 'c')));

    expect(errors.map((e) => e.name)).toEqual([
      'MatrixError',
      'MatrixError',
      'MatrixError',
      'MatrixError',
      'MatrixError',
      'RateLimitError',
      'InvalidResponseError',
      'InvalidResponseError',
      'InvalidResponseError',
      'ResponseTooLargeError',
      'NetworkError',
      'TimeoutError',
      'NetworkError',
      'InvalidEndpointError',
      'TypeError',
      'InvalidEndpointError',
      'InvalidEndpointError',
    ]);
    expect(errors[15]?.message).toMatch(/^Unknown segment 'bann' at api\.rooms\("<redacted>"\)\.bann\./);
    // What was kept is still useful: errcodes, the prefix's fields, redacted marks in place.
    expect(errors[0]).toMatchObject({ errcode: 'M_FORBIDDEN', body: { access_token: '<redacted>', refresh_token: '<redacted>', auth: { password: '<redacted>' } } });
    expect(errors[2]).toMatchObject({ errcode: 'M_UNKNOWN_TOKEN', body: { session: 's1' } });
    expect(errors[3]).toMatchObject({ errcode: 'M_UNKNOWN', body: { next_token: PAGE } });
    expect((errors[3] as { body?: { error?: string } }).body?.error).toContain('as_token: <redacted>\nhs_token: "<redacted>"');
    expect(errors[4]).toMatchObject({ status: 502, body: `{id: bridge, as_token: '<redacted>', hs_token: <redacted>} at /login?loginToken=<redacted>&next_token=${PAGE}` });
    expect(String((errors[6] as { excerpt?: string }).excerpt)).toMatch(/^not json x{900,}<redacted>y*$/);
    expect(errors[10]?.cause).toBeInstanceOf(Error);

    expect(states.length).toBeGreaterThan(10);
    expect(states.some((s) => s.error !== undefined)).toBe(true);
    expect(lines.filter((l) => l === 'warn').length).toBeGreaterThan(0);
    for (const [i, error] of errors.entries()) for (const text of printed(error)) expectNoCanary(text, `error ${i} (${error.name})`);
    for (const [i, state] of states.entries()) for (const text of printed(state)) expectNoCanary(text, `hook state ${i}`);
    for (const [i, line] of lines.entries()) expectNoCanary(line, `log line ${i}`);
    for (const [i, error] of errors.entries()) for (const text of printed(error)) expectNoFieldSecret(text, `error ${i} (${error.name})`);
    for (const [i, state] of states.entries()) for (const text of printed(state)) expectNoFieldSecret(text, `hook state ${i}`);
    for (const [i, line] of lines.entries()) expectNoFieldSecret(line, `log line ${i}`);
    // The pagination position stays readable in the URLs that hooks and logs show.
    expect(states.some((state) => state.url.includes(`next_token=${PAGE}`))).toBe(true);
    expect(lines.some((line) => line.includes(`next_token=${PAGE}`))).toBe(true);
  });
});

describe('the scrubbing logger', () => {
  it('scrubs the message and the context at every level', () => {
    const lines: string[] = [];
    const keep = (message: string, context?: Record<string, unknown>) => void lines.push(message, inspect(context, { depth: Infinity }));
    const logger = scrubbingLogger({ debug: keep, info: keep, warn: keep, error: keep }, createScrubber([CANARY]));
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      logger[level](`${level}: Bearer ${CANARY} ${ESCAPED}`, { url: `/x?access_token=${PERCENT}`, nested: { password: 'p', text: CANARY } });
    }
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe('debug: Bearer <redacted> <redacted>');
    for (const line of lines) expectNoCanary(line, 'log line');
  });
});
