/**
 * A 2xx JSON answer is the shape the operation promises (the route table's
 * `answer`): an object, an array for the few operations that answer one, and
 * an empty body only where the answer has no required fields.
 */
import { describe, expect, it } from 'vitest';
import { isInvalidResponseError, type InvalidResponseError } from '../../src/errors/index.js';
import { createClient, ENGINES, useEngine } from './engines.js';
import { rejection, req, transportFor } from './fixtures.js';
import { json, text, useTestServers } from './http-test-server.js';

const start = useTestServers();

const empty = text(200, '', 'application/json');

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  it.each([
    ['null', 'null', 'null'],
    ['an array', '[{"user_id":"@a:x"}]', 'an array'],
    ['a string', '"@a:x"', 'a string'],
    ['a number', '42', 'a number'],
    ['a boolean', 'true', 'a boolean'],
  ])('a 200 whose JSON is %s, where an object is promised, is an InvalidResponseError with status and excerpt', async (_name, body, got) => {
    const server = await start([text(200, body, 'application/json')]);
    const { transport, delays } = transportFor(server);
    const error = (await rejection(transport.requestJson(req('GET', '/_matrix/client/v3/account/whoami', { answer: 'object' })))) as InvalidResponseError;
    expect(isInvalidResponseError(error)).toBe(true);
    expect(error.status).toBe(200);
    expect(error.excerpt).toBe(body);
    expect(error.message).toBe(`[200] Response body is ${got}, where the operation answers an object: GET /_matrix/client/v3/account/whoami`);
    // A verdict on the answer, not a failure to retry.
    expect(delays).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  it('an empty 200 is invalid where the answer has required fields, and {} where it has none', async () => {
    const server = await start([empty]);
    const { transport } = transportFor(server);
    const error = (await rejection(transport.requestJson(req('GET', '/whoami', { answer: 'object' })))) as InvalidResponseError;
    expect(error.message).toBe('[200] Response body is empty, where the operation answers an object with required fields: GET /whoami');
    expect(error.excerpt).toBe('');
    await expect(transport.requestJson(req('POST', '/leave', { answer: 'object-or-empty' }))).resolves.toEqual({});
    // A request that names no shape (not from the route table) reads an empty body as {}.
    await expect(transport.requestJson(req('POST', '/raw'))).resolves.toEqual({});
  });

  it('an operation that answers an array gets its array, and anything else is invalid', async () => {
    const server = await start([json(200, [{ type: 'm.room.create' }]), json(200, { chunk: [] }), empty]);
    const { transport } = transportFor(server);
    await expect(transport.requestJson(req('GET', '/state', { answer: 'array' }))).resolves.toEqual([{ type: 'm.room.create' }]);
    expect((await rejection(transport.requestJson(req('GET', '/state', { answer: 'array' })))).message).toMatch(/is an object, where the operation answers an array/);
    expect((await rejection(transport.requestJson(req('GET', '/state', { answer: 'array' })))).message).toMatch(/is empty, where the operation answers an array/);
  });

  it('the chains take the shape from the route table: whoami must be an object, room state an array, leave may be empty', async () => {
    const server = await start((incoming, res, ctx) => {
      const url = incoming.url ?? '';
      if (url.endsWith('/account/whoami')) return text(200, 'null', 'application/json')(incoming, res, ctx);
      if (url.endsWith('/state')) return json(200, [{ type: 'm.room.create', state_key: '' }])(incoming, res, ctx);
      return empty(incoming, res, ctx);
    });
    const client = createClient({ baseUrl: server.url, accessToken: 'tok_test_1234' });
    const error = await rejection(client.api.account.whoami.get());
    expect(isInvalidResponseError(error)).toBe(true);
    expect(error.message).toMatch(/^\[200\] Response body is null, where the operation answers an object: GET/);
    await expect(client.api.rooms('!r:x').state.get()).resolves.toEqual([{ type: 'm.room.create', state_key: '' }]);
    await expect(client.api.rooms('!r:x').leave.post({})).resolves.toEqual({});
    // The sync answer has required fields: an empty body is not taken for an empty batch.
    expect(isInvalidResponseError(await rejection(client.api.sync.get({ timeout: 0 }, { retry: 0 })))).toBe(true);
  });

  it('the cause of a JSON parse failure is a scrubbed description, not the parser error that quotes the body', async () => {
    const token = 'syt_parse_cause_secret_0001';
    const server = await start([text(200, `{"token_echo": "${token}", oops}`, 'application/json')]);
    const { transport } = transportFor(server, { accessToken: token });
    const error = (await rejection(transport.requestJson(req('GET', '/x')))) as InvalidResponseError;
    expect(error.message).toBe('[200] Response body is not valid JSON: GET /x');
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).name).toBe('SyntaxError');
    expect(error.cause).not.toBeInstanceOf(SyntaxError);
    expect(String((error.cause as Error).stack)).not.toContain(token);
    expect(error.excerpt).toBe('{"token_echo": "<redacted>", oops}');
  });
});
