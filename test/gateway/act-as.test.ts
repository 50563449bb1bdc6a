/**
 * Acting as a user adds `user_id` to every request; an operation with a `user_id`
 * query of its own (`mutual_rooms`) is refused rather than sent with two.
 */
import { describe, expect, it } from 'vitest';
import { ActAsConflictError, createClient, isActAsConflictError, isMatrixSdkError } from '../../src/index.js';
import { recordingFetch } from '../support/recording-fetch.js';

function setup() {
  const { fetch, requests } = recordingFetch();
  const client = createClient({ baseUrl: 'http://hs.test', asToken: 'as-secret', fetch, retry: 0 });
  return { client, requests };
}

describe('client.as(userId) and operations with their own user_id query', () => {
  it('refuses mutual_rooms under client.as with an ActAsConflictError, before any request', async () => {
    const { client, requests } = setup();
    const call = client.as('@_bridge_ghost:hs.test').api.mutual_rooms.get({ user_id: '@alice:hs.test' });
    const error: unknown = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActAsConflictError);
    expect(isActAsConflictError(error)).toBe(true);
    expect(isMatrixSdkError(error)).toBe(true);
    expect(error).toMatchObject({ parameter: 'user_id', method: 'GET', path: '/_matrix/client/v1/mutual_rooms' });
    expect((error as Error).message).toMatch(/^GET \/_matrix\/client\/v1\/mutual_rooms has its own 'user_id' query parameter/);
    expect(requests).toHaveLength(0);
  });

  it('sends mutual_rooms with its one user_id from a client that does not act as a user', async () => {
    const { client, requests } = setup();
    await client.api.mutual_rooms.get({ user_id: '@alice:hs.test' });
    expect(requests.map((r) => r.url)).toEqual(['http://hs.test/_matrix/client/v1/mutual_rooms?user_id=%40alice%3Ahs.test']);
  });

  it('refuses a device_id query under an identity with a device, and keeps the token out of the message', async () => {
    const { client, requests } = setup();
    const ghost = client.as('@_bridge_ghost:hs.test', { deviceId: 'GHOSTDEV' });
    const error: unknown = await ghost.transport
      .requestJson({
        method: 'GET',
        route: 'GET /_matrix/client/v3/account/whoami',
        path: '/_matrix/client/v3/account/whoami',
        query: { device_id: 'OTHER' },
        bodyKind: 'none',
        responseKind: 'json',
        safeToRetry: true,
        authenticated: true,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ActAsConflictError', parameter: 'device_id' });
    expect((error as Error).message).not.toContain('as-secret');
    expect(requests).toHaveLength(0);
  });

  it('still adds user_id once to an operation without one of its own', async () => {
    const { client, requests } = setup();
    await client.as('@_bridge_ghost:hs.test').api.account.whoami.get();
    expect(requests.map((r) => r.url)).toEqual(['http://hs.test/_matrix/client/v3/account/whoami?user_id=%40_bridge_ghost%3Ahs.test']);
  });
});
