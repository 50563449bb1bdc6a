/**
 * Sanity checks for the real-homeserver harness. Runs only under an e2e config that uses
 * `test/harness/global-setup.ts`; under the default config nothing is provided and it skips.
 */
import { describe, expect, inject, it } from 'vitest';
import { overrideRatelimit, registerUser } from '../harness/synapse.js';

const synapse = inject('synapse') as ReturnType<typeof inject<'synapse'>> | undefined;

describe.skipIf(!synapse)('synapse harness', () => {
  const hs = synapse!;

  it('answers /_matrix/client/versions', async () => {
    const res = await fetch(`${hs.baseUrl}/_matrix/client/versions`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { versions: string[] };
    expect(body.versions).toContain('v1.11');
  });

  it('registers a user whose token whoami accepts', async () => {
    const user = await registerUser(hs.baseUrl, hs.registrationSharedSecret, { displayname: 'Test' });
    expect(user.userId).toBe(`@${user.localpart}:${hs.serverName}`);
    const res = await fetch(`${hs.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user_id: user.userId, device_id: user.deviceId });
  });

  it('gives the appservice token its sender and namespace', async () => {
    const res = await fetch(`${hs.baseUrl}/_matrix/client/v3/account/whoami`, {
      headers: { authorization: `Bearer ${hs.asToken}` },
    });
    expect(await res.json()).toMatchObject({ user_id: hs.senderUserId });
  });

  it('meets a real 429 after override_ratelimit', async () => {
    const user = await registerUser(hs.baseUrl, hs.registrationSharedSecret);
    const auth = { authorization: `Bearer ${user.accessToken}`, 'content-type': 'application/json' };
    const created = await fetch(`${hs.baseUrl}/_matrix/client/v3/createRoom`, { method: 'POST', headers: auth, body: '{}' });
    const { room_id: roomId } = (await created.json()) as { room_id: string };
    await overrideRatelimit(hs.baseUrl, hs.registrationSharedSecret, user.userId, { messagesPerSecond: 1, burstCount: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(
        `${hs.baseUrl}/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t${i}`,
        { method: 'PUT', headers: auth, body: JSON.stringify({ msgtype: 'm.text', body: `m${i}` }) },
      );
      statuses.push(res.status);
      if (res.status === 429) {
        expect(await res.json()).toMatchObject({ errcode: 'M_LIMIT_EXCEEDED' });
      }
    }
    expect(statuses).toContain(429);
  });
});
