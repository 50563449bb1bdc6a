/**
 * An upload's JSON answer is held to the shape the route table gives it, as
 * every other operation's: `POST upload` answers an object with a required
 * `content_uri`, so an empty body is not read as `{}`; `PUT upload/{serverName}/{mediaId}`
 * answers an object without required fields, so an empty body is `{}` there.
 * An object without a string `mxc://` `content_uri` is refused too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isInvalidResponseError, type InvalidResponseError } from '../../src/errors/index.js';
import { createClient, ENGINES, useEngine } from '../transport/engines.js';
import { rejection } from '../transport/fixtures.js';
import { json, text, useTestServers, type Handler } from '../transport/http-test-server.js';

const start = useTestServers();

/** A server with authenticated media whose upload answers `upload`. */
async function mediaServer(upload: Handler) {
  const server = await start((req: IncomingMessage, res: ServerResponse, ctx) => {
    if (req.url === '/_matrix/client/versions') return json(200, { versions: ['v1.11'] })(req, res, ctx);
    return upload(req, res, ctx);
  });
  const client = createClient({ baseUrl: server.url, accessToken: 'media-token', sleep: async () => undefined });
  return { server, client };
}

const bytes = new Uint8Array([1, 2, 3]);

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  it.each([
    ['an empty body', '', 'empty, where the operation answers an object with required fields'],
    ['null', 'null', 'null, where the operation answers an object'],
    ['an array', '[{"content_uri":"mxc://hs.test/a"}]', 'an array, where the operation answers an object'],
  ])('an upload answered with %s is an InvalidResponseError, not a content_uri of undefined', async (_name, body, problem) => {
    const { server, client } = await mediaServer(text(200, body, 'application/json'));
    const error = (await rejection(client.media.upload.post(bytes, { contentType: 'image/png' }))) as InvalidResponseError;
    expect(isInvalidResponseError(error)).toBe(true);
    expect(error.message).toBe(`[200] Response body is ${problem}: POST /_matrix/media/v3/upload`);
    expect(error.excerpt).toBe(body);
    // A verdict on the answer, not a failure to retry.
    expect(server.requests.filter((r) => r.url.startsWith('/_matrix/media/')).length).toBe(1);
  });

  it.each([
    ['{}', {}, 'an object without a content_uri'],
    ['a content_uri that is a number', { content_uri: 42 }, 'an object whose content_uri is not a string'],
    ['a content_uri that is not an mxc URI', { content_uri: 'https://hs.test/a' }, 'an object whose content_uri is not an mxc:// URI'],
  ])('an upload answered with %s is an InvalidResponseError naming the missing content_uri', async (_name, body, problem) => {
    const { server, client } = await mediaServer(json(200, body));
    const error = (await rejection(client.media.upload.post(bytes, { contentType: 'image/png' }))) as InvalidResponseError;
    expect(isInvalidResponseError(error)).toBe(true);
    expect(error.message).toBe(`[200] Response body is ${problem}, where the operation answers an mxc:// content_uri: POST /_matrix/media/v3/upload`);
    expect(error.excerpt).toBe(JSON.stringify(body));
    expect(server.requests.filter((r) => r.url.startsWith('/_matrix/media/')).length).toBe(1);
  });

  it('an upload to an mxc created first may answer an empty body, read as {}', async () => {
    const { client } = await mediaServer(text(200, '', 'application/json'));
    await expect(client.media.upload('hs.test', 'later').put(bytes, { contentType: 'image/png' })).resolves.toEqual({});
  });

  it('an upload answered with its content_uri resolves to it', async () => {
    const { client } = await mediaServer(json(200, { content_uri: 'mxc://hs.test/ok' }));
    await expect(client.media.upload.post(bytes, { contentType: 'image/png' })).resolves.toEqual({ content_uri: 'mxc://hs.test/ok' });
  });
});
