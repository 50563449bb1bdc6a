/**
 * Application services against a real Synapse: the `as_token` client, registering
 * a user of the namespace, and acting as that user through `client.as(userId)`.
 */
import { describe, expect, it } from 'vitest';
import { createClient, isMatrixError, type MatrixClient } from '../../src/index.js';
import { caught, latestMessages, newUser, recordingLogger, roomWith, synapse } from './helpers.js';

function appservice(): MatrixClient {
  const hs = synapse();
  return createClient({ baseUrl: hs.baseUrl, asToken: hs.asToken, logger: recordingLogger() });
}

/** A fresh localpart in the appservice's exclusive namespace. */
function namespaced(what: string): string {
  return `${synapse().appserviceUserPrefix}${what}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * The body of an appservice registration. The spec names `type` in prose only;
 * codegen/overrides.ts adds it to the register body's schema.
 */
function appserviceRegistration(username: string) {
  return { type: 'm.login.application_service', username, inhibit_login: true } as const;
}

/** Registers a user of the namespace through the SDK and returns the full user id. */
async function registerNamespaced(localpart: string): Promise<string> {
  const { user_id: userId } = await appservice().api.register.post(appserviceRegistration(localpart));
  return userId;
}

describe('application service', () => {
  it('acts as its sender user with the bare as_token', async () => {
    const me = await appservice().api.account.whoami.get();
    expect(me.user_id).toBe(synapse().senderUserId);
  });

  // POST /register is `auth: 'none'` in the spec, yet an appservice must send its as_token on it:
  // a client built with `asToken` sends it on every request.
  it('registers a user of its namespace through api.register with the as_token', async () => {
    const localpart = namespaced('x');
    const registered = await appservice().api.register.post(appserviceRegistration(localpart), { query: { kind: 'user' } });
    expect(registered.user_id).toBe(`@${localpart}:${synapse().serverName}`);
  });

  it('refuses to register a user outside its namespace with M_EXCLUSIVE', async () => {
    const error = await caught(() => appservice().api.register.post(appserviceRegistration(`outsider_${Date.now().toString(36)}`)));
    expect(isMatrixError(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, errcode: 'M_EXCLUSIVE' });
  });

  it('acts as a registered user of its namespace through client.as(userId)', async () => {
    const as = appservice();
    const userId = await registerNamespaced(namespaced('x'));

    expect((await as.as(userId).api.account.whoami.get()).user_id).toBe(userId);
    // device_id travels too: Synapse checks it and knows no such device.
    const error = await caught(() => as.as(userId, { deviceId: 'GHOSTDEVICE' }).api.account.whoami.get());
    expect(error).toMatchObject({ status: 400, errcode: 'M_UNKNOWN_DEVICE' });
  });

  it('cannot act as a user outside its namespace', async () => {
    const alice = await newUser();
    const error = await caught(() => appservice().as(alice.userId).api.account.whoami.get());
    expect(isMatrixError(error)).toBe(true);
    expect(error).toMatchObject({ status: 403, errcode: 'M_FORBIDDEN' });
  });

  it('sends as a namespaced user into a room a real user invited them to, and the real user sees them as sender', async () => {
    const as = appservice();
    const alice = await newUser();
    const ghostId = await registerNamespaced(namespaced('bridge'));
    const ghost = as.as(ghostId);

    const roomId = await roomWith(alice);
    await alice.client.api.rooms(roomId).invite.post({ user_id: ghostId });
    await ghost.api.rooms(roomId).join.post({});
    await ghost.api.profile(ghostId, 'displayname').put({ displayname: 'Bridged Ghost' });

    const ts = Date.UTC(2020, 0, 2, 3, 4, 5);
    const { event_id: eventId } = await ghost.api.rooms(roomId).send('m.room.message').put(
      { msgtype: 'm.text', body: 'hello from the bridge' },
      { ts },
    );

    const [latest] = await latestMessages(alice.client, roomId);
    expect(latest).toMatchObject({ event_id: eventId, sender: ghostId, content: { body: 'hello from the bridge' } });
    expect((latest as unknown as { origin_server_ts: number }).origin_server_ts).toBe(ts);
    expect(await alice.client.api.profile(ghostId, 'displayname').get()).toEqual({ displayname: 'Bridged Ghost' });

    // The masquerading client and the plain one share one transport: the sender is untouched.
    expect((await as.api.account.whoami.get()).user_id).toBe(synapse().senderUserId);
  });
});
