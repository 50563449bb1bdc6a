/**
 * Error answers of a real Synapse as the SDK hands them over: a real 429 waited out
 * (or handed over on request), and MatrixError for M_FORBIDDEN, M_NOT_FOUND and
 * M_UNKNOWN_TOKEN, with no credential in anything printable.
 */
import { describe, expect, it } from 'vitest';
import {
  createClient,
  isInvalidEndpointError,
  isMatrixError,
  isMatrixSdkError,
  isRateLimitError,
  MatrixError,
  type RateLimitError,
  type TransportHookState,
} from '../../src/index.js';
import { caught, latestMessages, newUser, recordingLogger, roomWith, synapse, throttle } from './helpers.js';

describe('rate limits', () => {
  it('waits out a real 429 and the send lands exactly once', async () => {
    const retries: TransportHookState[] = [];
    const statuses: number[] = [];
    const logger = recordingLogger();
    const alice = await newUser({
      client: {
        logger,
        hooks: {
          beforeRetry: (state) => void retries.push(state),
          afterResponse: (state) => void (state.status !== undefined && statuses.push(state.status)),
        },
      },
    });
    const roomId = await roomWith(alice);
    await throttle(alice.userId, { messagesPerSecond: 1, burstCount: 1 });
    const rooms = alice.client.api.rooms(roomId);

    // The first send may already meet a 429 (creating the room filled the bucket); the second
    // one, right after it, certainly does.
    const first = await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'throttled 1' });
    retries.length = 0;
    statuses.length = 0;
    const started = Date.now();
    const second = await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'throttled 2' });
    const waited = Date.now() - started;

    expect(second.event_id).not.toBe(first.event_id);
    expect(statuses).toContain(429);
    expect(retries.length).toBeGreaterThanOrEqual(1);
    const retry = retries[0]!;
    expect(retry.route).toBe('PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}');
    expect(retry.status).toBe(429);
    expect(retry.delayMs).toBeGreaterThan(0);
    expect(isMatrixError(retry.error) && retry.error.errcode).toBe('M_LIMIT_EXCEEDED');
    expect(waited).toBeGreaterThanOrEqual(Math.min(retry.delayMs ?? 0, 500));
    // Every retry went to the same URL: the transaction id was generated once per call.
    expect(new Set(retries.map((state) => state.url)).size).toBe(1);
    expect(statuses.at(-1)).toBe(200);

    const messages = await latestMessages(alice.client, roomId);
    expect(messages.filter((event) => event.content['body'] === 'throttled 2')).toHaveLength(1);
    expect(messages.filter((event) => event.content['body'] === 'throttled 1')).toHaveLength(1);
    expect(logger.lines.join('\n')).not.toContain(alice.accessToken);
  });

  it('hands a 429 over as a RateLimitError when the call asks for it, and nothing was sent', async () => {
    const alice = await newUser({ client: { logger: recordingLogger() } });
    const roomId = await roomWith(alice);
    await throttle(alice.userId, { messagesPerSecond: 1, burstCount: 1 });
    const rooms = alice.client.api.rooms(roomId);

    await rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'allowed' });
    const error = await caught(() =>
      rooms.send('m.room.message').put({ msgtype: 'm.text', body: 'refused' }, { ignoreRateLimit: true }),
    );

    expect(isRateLimitError(error)).toBe(true);
    const limited = error as RateLimitError;
    expect(limited).toMatchObject({ name: 'RateLimitError', status: 429, errcode: 'M_LIMIT_EXCEEDED', method: 'PUT' });
    expect(limited.retryAfterMs).toBeGreaterThan(0);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(2_000);
    expect(String(limited)).not.toContain(alice.accessToken);

    await new Promise((resolve) => setTimeout(resolve, limited.retryAfterMs + 50));
    const bodies = (await latestMessages(alice.client, roomId)).map((event) => event.content['body']);
    expect(bodies).toEqual(['allowed']);
  });
});

describe('matrix errors', () => {
  it('throws M_FORBIDDEN when a non-member sends into a room', async () => {
    const [alice, mallory] = await Promise.all([newUser(), newUser()]);
    const roomId = await roomWith(alice);

    const error = await caught(() => mallory.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'let me in' }));

    expect(error).toBeInstanceOf(MatrixError);
    expect(isMatrixSdkError(error)).toBe(true);
    expect(isRateLimitError(error)).toBe(false);
    const forbidden = error as MatrixError;
    expect(forbidden).toMatchObject({ name: 'MatrixError', status: 403, errcode: 'M_FORBIDDEN', method: 'PUT' });
    expect(forbidden.error).toEqual(expect.any(String));
    expect(forbidden.error.length).toBeGreaterThan(0);
    expect(forbidden.body).toMatchObject({ errcode: 'M_FORBIDDEN' });
    expect(forbidden.path).toContain('/_matrix/client/v3/rooms/');
    expect(forbidden.path).toContain('/send/m.room.message/');
    expect(forbidden.message).toContain('403 / M_FORBIDDEN');
    expect(String(forbidden)).not.toContain(mallory.accessToken);
  });

  it('throws M_NOT_FOUND for a state event that was never set', async () => {
    const alice = await newUser();
    const roomId = await roomWith(alice);

    const error = await caught(() => alice.client.api.rooms(roomId).state('org.example.missing', '').get());

    expect(isMatrixError(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, errcode: 'M_NOT_FOUND', method: 'GET' });
    expect((error as MatrixError).path).toContain('/state/org.example.missing/');
  });

  it('throws M_UNKNOWN_TOKEN for a bogus access token and never prints the token', async () => {
    const bogus = `syt_bogus_${Date.now().toString(36)}_SECRETSECRET`;
    const client = createClient({ baseUrl: synapse().baseUrl, accessToken: bogus, logger: recordingLogger() });

    const error = await caught(() => client.api.account.whoami.get());

    expect(isMatrixError(error)).toBe(true);
    const unknown = error as MatrixError;
    expect(unknown).toMatchObject({ status: 401, errcode: 'M_UNKNOWN_TOKEN', method: 'GET', path: '/_matrix/client/v3/account/whoami' });
    expect(unknown.softLogout).not.toBe(true);
    for (const printed of [String(unknown), unknown.message, unknown.stack ?? '', JSON.stringify(unknown), JSON.stringify(unknown.body)]) {
      expect(printed).not.toContain(bogus);
      expect(printed).not.toContain('SECRETSECRET');
    }
  });

  it('rejects a misspelled chain segment before any request is made', async () => {
    let requests = 0;
    const alice = await newUser({ client: { hooks: { beforeRequest: () => void requests++ } } });

    const error = await caught(async () => (alice.client.api.rooms('!x:localhost') as unknown as Record<string, unknown>)['mesages']);

    expect(isInvalidEndpointError(error)).toBe(true);
    expect(String(error)).toContain("Did you mean 'messages'?");
    expect(requests).toBe(0);
  });
});
