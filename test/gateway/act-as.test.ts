/**
 * Acting as a user adds `user_id` to every request; an operation with a `user_id`
 * query of its own (`mutual_rooms`) is refused rather than sent with two.
 */
import { describe, expect, it } from 'vitest';
import { ActAsConflictError, createClient, isActAsConflictError, isMatrixSdkError, type MatrixClient } from '../../src/index.js';
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

/**
 * `rooms(roomId).timestamp_to_event`, typed here: this file also compiles against the
 * synthetic spec of test/spec/bump.test.ts, which has no such operation.
 */
function timestampToEvent(client: MatrixClient, roomId: string): { get(query: { ts: number; dir: 'b' | 'f' }, options?: { ts?: number }): Promise<unknown> } {
  return (client.api.rooms(roomId) as unknown as { timestamp_to_event: ReturnType<typeof timestampToEvent> }).timestamp_to_event;
}

describe('the ts option and operations with their own ts query', () => {
  const roomId = '!r:hs.test';

  it('refuses timestamp_to_event with the ts option, before any request, naming the parameter', async () => {
    const { client, requests } = setup();
    const error: unknown = await timestampToEvent(client, roomId)
      .get({ ts: 1_700_000_000_000, dir: 'f' }, { ts: 1_600_000_000_000 })
      .catch((e: unknown) => e);
    expect(isActAsConflictError(error)).toBe(true);
    expect(error).toMatchObject({ parameter: 'ts', method: 'GET', path: '/_matrix/client/v1/rooms/!r%3Ahs.test/timestamp_to_event' });
    expect((error as Error).message).toBe(
      "GET /_matrix/client/v1/rooms/!r:hs.test/timestamp_to_event has its own 'ts' query parameter, which the ts request option " +
        '(application service timestamp massaging) also sets; call it without the ts option',
    );
    expect(requests).toHaveLength(0);
  });

  it('refuses it under client.as too, and a ghost without the option sends one ts and one user_id', async () => {
    const { client, requests } = setup();
    const ghost = client.as('@_bridge_ghost:hs.test');
    const error: unknown = await timestampToEvent(ghost, roomId).get({ ts: 5, dir: 'b' }, { ts: 6 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ActAsConflictError', parameter: 'ts' });
    expect(requests).toHaveLength(0);
    await timestampToEvent(ghost, roomId).get({ ts: 5, dir: 'b' });
    expect(requests.map((r) => new URL(r.url).search)).toEqual(['?ts=5&dir=b&user_id=%40_bridge_ghost%3Ahs.test']);
  });

  it('still adds the ts option once to an operation without a ts of its own', async () => {
    const { client, requests } = setup();
    await client.api.rooms(roomId).send('m.room.message', 'txn1').put({ msgtype: 'm.text', body: 'old' }, { ts: 1_600_000_000_000 });
    expect(requests.map((r) => new URL(r.url).search)).toEqual(['?ts=1600000000000']);
  });
});
