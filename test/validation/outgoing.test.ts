/**
 * Outgoing content under the opt-in validation, as a local server receives it:
 * invalid content is refused before any request (and never retried), valid
 * content goes as it is, `warn` logs one scrubbed line and sends.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createClient, isEventValidationError, isMatrixSdkError, type TransportLogger } from '../../src/index.js';
import { eventValidation, EventValidationError } from '../../src/validation/index.js';
import { json, useTestServers } from '../transport/http-test-server.js';

const start = useTestServers();

function recordingLogger(): TransportLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (message: string) => warnings.push(message), error() {} };
}

describe('outgoing content with validation on', () => {
  it('refuses an invalid message before any request, with the path, what was expected and what was found', async () => {
    const server = await start(json(200, { event_id: '$e' }));
    const validate = eventValidation();
    const client = createClient({ baseUrl: server.url, accessToken: 'secret-token', validate });
    const sending = client.api.rooms('!r:example.org').send('m.room.message').put({ msgtype: 'm.text', body: 5 } as never);
    const error = await sending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventValidationError);
    expect(isEventValidationError(error) && isMatrixSdkError(error)).toBe(true);
    const failure = error as EventValidationError;
    expect(failure.eventType).toBe('m.room.message');
    expect(failure.issues).toEqual([{ path: 'content.body', expected: 'a string', found: 'the number 5' }]);
    expect(failure.message).toBe('Invalid "m.room.message" content for PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}: content.body: expected a string, found the number 5');
    expect(server.requests).toEqual([]);
    expect(validate.counts.outgoingRejected).toBe(1);
  });

  it('is not retried: a refused call makes no request even with retries allowed for 5xx', async () => {
    const server = await start(json(503, { errcode: 'M_UNKNOWN' }));
    const client = createClient({ baseUrl: server.url, accessToken: 'secret-token', retry: { limit: 3, backoffBase: 1 }, validate: eventValidation() });
    await expect(client.api.rooms('!r:example.org').state('m.room.member', '@bob:example.org').put({ membership: 'joined' } as never)).rejects.toThrow(EventValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it('sends valid content as it is, on sends, state, and both account data routes', async () => {
    const server = await start(json(200, { event_id: '$e' }));
    const client = createClient({ baseUrl: server.url, accessToken: 'secret-token', validate: eventValidation() });
    await client.api.rooms('!r:example.org').send('m.room.message').put({ msgtype: 'm.text', body: 'hi' });
    await client.api.rooms('!r:example.org').state('m.room.topic', '').put({ topic: 'news' });
    await client.api.user('@a:example.org').account_data('m.direct').put({ '@b:example.org': ['!r:example.org'] });
    await client.api.user('@a:example.org').rooms('!r:example.org').account_data('m.tag').put({ tags: { 'm.favourite': { order: 0.5 } } });
    await client.api.rooms('!r:example.org').send('com.example.custom').put({ anything: [1, 2] });
    expect(server.requests.map((r) => r.method)).toEqual(['PUT', 'PUT', 'PUT', 'PUT', 'PUT']);
    expect(JSON.parse(server.requests[0]!.body.toString())).toEqual({ msgtype: 'm.text', body: 'hi' });
  });

  it('refuses invalid account data and checks each to-device message, naming the user and device', async () => {
    const server = await start(json(200, {}));
    const client = createClient({ baseUrl: server.url, accessToken: 'secret-token', validate: eventValidation() });
    await expect(client.api.user('@a:example.org').account_data('m.direct').put({ '@b:example.org': '!r:example.org' } as never)).rejects.toThrow(EventValidationError);
    const error = await client.api.sendToDevice('m.room_key_request').put({
      messages: { '@b:example.org': { GOOD: { action: 'request_cancellation', requesting_device_id: 'D', request_id: 'x' }, BAD: { action: 'later' } } },
    } as never).catch((e: unknown) => e as EventValidationError);
    expect(error).toBeInstanceOf(EventValidationError);
    expect((error as EventValidationError).issues.map((i) => i.path).sort()).toEqual([
      'messages["@b:example.org"]["BAD"].action',
      'messages["@b:example.org"]["BAD"].request_id',
      'messages["@b:example.org"]["BAD"].requesting_device_id',
    ]);
    expect(server.requests).toHaveLength(0);
  });

  it('under warn, logs one line without the access token and sends anyway', async () => {
    const server = await start(json(200, { event_id: '$e' }));
    const logger = recordingLogger();
    const validate = eventValidation({ outgoing: 'warn' });
    const client = createClient({ baseUrl: server.url, accessToken: 'secret-token', logger, validate });
    await client.api.rooms('!r:example.org').send('m.room.message').put({ msgtype: 'm.text', body: 'secret-token' as unknown as string, format: 7 } as never);
    expect(server.requests).toHaveLength(1);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('content.format: expected a string, found the number 7');
    expect(logger.warnings.join()).not.toContain('secret-token');
    expect(validate.counts.outgoingWarned).toBe(1);
  });

  it('under warn, keeps even the quoted start of a long access token out of the line', async () => {
    const server = await start(json(200, { event_id: '$e' }));
    const logger = recordingLogger();
    const token = `syt_${'a1B2c3D4e5'.repeat(6)}`;
    const client = createClient({ baseUrl: server.url, accessToken: token, logger, validate: eventValidation({ outgoing: 'warn' }) });
    // An id field holding the token: the issue quotes an excerpt, the token's first 32 characters.
    await client.api.rooms('!r:example.org').send('m.room.message').put({ msgtype: 'm.text', body: 'x', 'm.relates_to': { rel_type: 'm.thread', event_id: token } } as never);
    expect(logger.warnings).toHaveLength(1);
    expect(logger.warnings[0]).toContain('content["m.relates_to"].event_id: expected an event id');
    expect(logger.warnings[0]).not.toContain(token.slice(0, 12));
  });

  it('under throw, keeps a user-id-shaped access token out of the refusal: message, issues, stack and every printing', async () => {
    const server = await start(json(200, { event_id: '$e' }));
    const token = '@abcdefghijklmnopqrstuvwxyz:example.org';
    const client = createClient({ baseUrl: server.url, accessToken: token, validate: eventValidation() });
    const refusals = [
      // The token as a value the issue quotes.
      await client.api.rooms('!r:example.org').send('m.room.message').put({ msgtype: 'm.text', body: 'x', 'm.relates_to': { rel_type: 'm.thread', event_id: token } } as never).catch((e: unknown) => e),
      // The token as a user id key the issue's path names.
      await client.api.sendToDevice('m.room_key_request').put({ messages: { [token]: { DEVICE: { action: 'later' } } } } as never).catch((e: unknown) => e),
    ];
    expect(server.requests).toHaveLength(0);
    for (const error of refusals) {
      expect(error).toBeInstanceOf(EventValidationError);
      const failure = error as EventValidationError;
      expect(failure.issues.length).toBeGreaterThan(0);
      expect(failure.message).toContain('<redacted>');
      const printings = [failure.message, String(failure), failure.stack ?? '', JSON.stringify(failure), JSON.stringify(failure.issues), inspect(failure, { depth: Infinity })];
      for (const text of printings) expect(text).not.toContain('abcdefghijklmnop');
    }
  });

  it('checks nothing when off, and a client without validate sends what it is given', async () => {
    const server = await start(json(200, { event_id: '$e' }));
    const off = createClient({ baseUrl: server.url, accessToken: 'secret-token', validate: eventValidation({ outgoing: 'off' }) });
    await off.api.rooms('!r:example.org').send('m.room.message').put({ msgtype: 'm.text' } as never);
    const plain = createClient({ baseUrl: server.url, accessToken: 'secret-token' });
    await plain.api.rooms('!r:example.org').send('m.room.message').put({ msgtype: 'm.text' } as never);
    expect(server.requests).toHaveLength(2);
  });

  it('follows a client made with as(): the appservice user sends through the same validation', async () => {
    const server = await start(json(200, { event_id: '$e' }));
    const client = createClient({ baseUrl: server.url, asToken: 'as-secret', validate: eventValidation() });
    await expect(client.as('@_bridge_a:example.org').api.rooms('!r:example.org').send('m.room.message').put({ body: 'no msgtype' } as never)).rejects.toThrow(EventValidationError);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a policy it does not know', () => {
    expect(() => eventValidation({ incoming: 'explode' as never })).toThrow(TypeError);
  });
});
