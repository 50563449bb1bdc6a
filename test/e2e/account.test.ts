/**
 * Accounts against a real Synapse: login, whoami, profile, account data, filters,
 * devices and push rules, all through the public chains.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { newUser, roomWith, synapse } from './helpers.js';

describe('account', () => {
  it('logs a registered user in with a password and the new token works for whoami', async () => {
    const hs = synapse();
    const user = await newUser();
    const anonymous = createClient({ baseUrl: hs.baseUrl });

    const login = await anonymous.api.login.post({
      type: 'm.login.password',
      identifier: { type: 'm.id.user', user: user.localpart },
      password: user.password,
      initial_device_display_name: 'e2e login',
    });
    expect(login.user_id).toBe(user.userId);
    expect(login.access_token).toEqual(expect.any(String));
    expect(login.device_id).not.toBe(user.deviceId);

    const loggedIn = createClient({ baseUrl: hs.baseUrl, accessToken: login.access_token });
    const me = await loggedIn.api.account.whoami.get();
    expect(me).toMatchObject({ user_id: user.userId, device_id: login.device_id });
    // The suite runs on Node's default engine unless told otherwise (test/e2e/setup-engine.ts).
    expect(loggedIn.transport.engine).toBe(process.env['MATRIX_FLUENT_E2E_ENGINE'] === 'fetch' ? 'fetch' : 'undici');
  });

  it('lists the login flows without a token', async () => {
    const anonymous = createClient({ baseUrl: synapse().baseUrl });
    const { flows } = await anonymous.api.login.get();
    expect(flows?.map((flow) => flow.type)).toContain('m.login.password');
  });

  it('reads the whole profile and a single field, and updates the display name', async () => {
    const user = await newUser({ displayname: 'Before' });
    const api = user.client.api;

    expect(await api.profile(user.userId).get()).toMatchObject({ displayname: 'Before' });
    await api.profile(user.userId, 'displayname').put({ displayname: 'After' });
    expect(await api.profile(user.userId, 'displayname').get()).toEqual({ displayname: 'After' });
    expect(await api.profile(user.userId).get()).toMatchObject({ displayname: 'After' });
  });

  it('stores global and per-room account data and reads them back', async () => {
    const user = await newUser();
    const api = user.client.api;
    const roomId = await roomWith(user);

    await api.user(user.userId).account_data('org.example.settings').put({ theme: 'dark', size: 3 });
    expect(await api.user(user.userId).account_data('org.example.settings').get()).toEqual({ theme: 'dark', size: 3 });

    await api.user(user.userId).rooms(roomId).account_data('org.example.pinned').put({ pinned: ['$a', '$b'] });
    expect(await api.user(user.userId).rooms(roomId).account_data('org.example.pinned').get()).toEqual({ pinned: ['$a', '$b'] });
  });

  it('uploads a filter and gets the same definition back by its id', async () => {
    const user = await newUser();
    const api = user.client.api;
    const definition = {
      room: { timeline: { limit: 7, types: ['m.room.message'] } },
      presence: { not_types: ['*'] },
    };

    const { filter_id: filterId } = await api.user(user.userId).filter.post(definition);
    expect(filterId).toEqual(expect.any(String));
    expect(await api.user(user.userId).filter(filterId).get()).toMatchObject(definition);
  });

  it('lists devices, gets one, and renames it', async () => {
    const user = await newUser();
    const api = user.client.api;

    const { devices } = await api.devices.get();
    expect(devices?.map((device) => device.device_id)).toContain(user.deviceId);

    await api.devices(user.deviceId).put({ display_name: 'e2e laptop' });
    expect(await api.devices(user.deviceId).get()).toMatchObject({ device_id: user.deviceId, display_name: 'e2e laptop' });
  });

  it('reads the push rules from the trailing-slash routes', async () => {
    const user = await newUser();
    const api = user.client.api;

    const all = await api.pushrules.get();
    expect(all.global.override?.map((rule) => rule.rule_id)).toContain('.m.rule.master');

    const global = await api.pushrules.global.get();
    expect(global.underride?.map((rule) => rule.rule_id)).toContain('.m.rule.message');
  });
});
