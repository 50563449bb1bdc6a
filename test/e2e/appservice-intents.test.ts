/**
 * Intents and registrations against a real Synapse: an IntentManager over the
 * as_token client registers ghosts (once, and again as a no-op), joins rooms,
 * sends with a timestamp; generated registrations load with Synapse's own loader,
 * whose namespace matching agrees with ours.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createClient,
  generateRegistration,
  IntentManager,
  NamespaceMatcher,
  registrationToYaml,
  validateRegistration,
  type AppserviceRegistration,
  type TransportHookState,
} from '../../src/index.js';
import { APPSERVICE_ID, ensureSynapse } from '../harness/synapse.js';
import { caught, latestMessages, newUser, recordingLogger, synapse } from './helpers.js';

/**
 * The harness's registration, rebuilt from what the global setup provides, key for
 * key as test/harness/synapse.ts writes it (the file itself stays in the harness).
 */
function harnessRegistration(): AppserviceRegistration {
  const hs = synapse();
  const escapedServer = hs.serverName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return {
    id: APPSERVICE_ID,
    url: null,
    as_token: hs.asToken,
    hs_token: hs.hsToken,
    sender_localpart: hs.senderUserId.slice(1, hs.senderUserId.indexOf(':')),
    rate_limited: false,
    namespaces: {
      users: [{ exclusive: true, regex: `@${hs.appserviceUserPrefix}.*:${escapedServer}` }],
      aliases: [{ exclusive: false, regex: `#${hs.appserviceUserPrefix}.*:${escapedServer}` }],
      rooms: [],
    },
  };
}

/** An IntentManager over a real as_token client, and the routes of every request it sends. */
function intents(): { manager: IntentManager; sent: string[] } {
  const hs = synapse();
  const sent: string[] = [];
  const client = createClient({
    baseUrl: hs.baseUrl,
    asToken: hs.asToken,
    logger: recordingLogger(),
    hooks: { beforeRequest: ({ route }: TransportHookState) => void sent.push(route) },
  });
  return { manager: new IntentManager({ client, registration: harnessRegistration(), serverName: hs.serverName }), sent };
}

/** A fresh localpart in the harness's exclusive namespace. */
function ghostName(what: string): string {
  return `${synapse().appserviceUserPrefix}${what}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

const REGISTER = 'POST /_matrix/client/v3/register';

describe('intents against Synapse', () => {
  it('registers a ghost once for concurrent callers, and a second manager meeting M_USER_IN_USE counts it as done', async () => {
    const { manager, sent } = intents();
    const ghost = manager.intent(ghostName('reg'));
    await Promise.all(Array.from({ length: 5 }, () => ghost.ensureRegistered()));
    expect(sent.filter((route) => route === REGISTER)).toHaveLength(1);
    expect((await ghost.client.api.account.whoami.get()).user_id).toBe(ghost.userId);

    const second = intents();
    await second.manager.intent(ghost.userId).ensureRegistered();
    expect(second.sent).toEqual([REGISTER]);
    await second.manager.intent(ghost.userId).ensureRegistered();
    expect(second.sent).toEqual([REGISTER]);
  });

  it('acts as the bot with the plain as_token client', async () => {
    const { manager, sent } = intents();
    expect(manager.bot.userId).toBe(synapse().senderUserId);
    await manager.bot.ensureRegistered();
    expect((await manager.bot.client.api.account.whoami.get()).user_id).toBe(synapse().senderUserId);
    expect(sent).toEqual(['GET /_matrix/client/v3/account/whoami']);
  });

  it('joins a public room, and a private one once invited; an uninvited join is the server M_FORBIDDEN', async () => {
    const { manager } = intents();
    const alice = await newUser();
    const ghost = manager.intent(ghostName('join'));
    const { room_id: publicRoom } = await alice.client.api.createRoom.post({ preset: 'public_chat' });
    await ghost.ensureJoined(publicRoom);
    await ghost.ensureJoined(publicRoom);

    const { room_id: privateRoom } = await alice.client.api.createRoom.post({ preset: 'private_chat' });
    const refused = await caught(() => ghost.ensureJoined(privateRoom));
    expect(refused).toMatchObject({ name: 'MatrixError', status: 403, errcode: 'M_FORBIDDEN' });
    await alice.client.api.rooms(privateRoom).invite.post({ user_id: ghost.userId });
    await ghost.ensureJoined(privateRoom);

    const members = await alice.client.api.rooms(privateRoom).joined_members.get();
    expect(Object.keys(members.joined ?? {})).toContain(ghost.userId);
    const publicMembers = await alice.client.api.rooms(publicRoom).joined_members.get();
    expect(Object.keys(publicMembers.joined ?? {})).toContain(ghost.userId);
  });

  it('sends text with a timestamp and a display name that the real user sees', async () => {
    const { manager } = intents();
    const alice = await newUser();
    const ghost = manager.intent(ghostName('talk'));
    const { room_id: roomId } = await alice.client.api.createRoom.post({ preset: 'public_chat' });
    await ghost.setDisplayName('Bridged Ghost');
    const ts = Date.UTC(2021, 5, 6, 7, 8, 9);
    const eventId = await ghost.sendText(roomId, 'hello from the intent', { ts });

    const [latest] = await latestMessages(alice.client, roomId);
    expect(latest).toMatchObject({ event_id: eventId, sender: ghost.userId, content: { msgtype: 'm.text', body: 'hello from the intent' } });
    expect((latest as unknown as { origin_server_ts: number }).origin_server_ts).toBe(ts);
    expect(await alice.client.api.profile(ghost.userId, 'displayname').get()).toEqual({ displayname: 'Bridged Ghost' });
  });

  it('refuses a user outside the namespace before any request', () => {
    const { manager, sent } = intents();
    expect(() => manager.intent(`outsider_${Date.now().toString(36)}`)).toThrow(TypeError);
    expect(sent).toEqual([]);
  });
});

describe('registrations against Synapse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'matrix-fluent-registration-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Loads registration files with Synapse's own loader (its Python, its rules) and
   * asks its namespace matching about user ids: `{ file: { userId: inNamespace } }`,
   * or the loader's error.
   */
  async function synapseLoads(files: string[], userIds: string[]): Promise<Record<string, Record<string, boolean> | string>> {
    const { python } = await ensureSynapse();
    const script = `
import json, sys, yaml
from synapse.config.appservice import _load_appservice
out = {}
user_ids = json.loads(sys.argv[1])
for path in sys.argv[2:]:
    try:
        with open(path) as f:
            service = _load_appservice(${JSON.stringify(synapse().serverName)}, yaml.safe_load(f), path)
        out[path] = {u: service.is_interested_in_user(u) for u in user_ids}
    except Exception as e:
        out[path] = type(e).__name__ + ": " + str(e)
print(json.dumps(out))
`;
    const { stdout } = await promisify(execFile)(python, ['-c', script, JSON.stringify(userIds), ...files], { timeout: 60_000 });
    return JSON.parse(stdout) as Record<string, Record<string, boolean> | string>;
  }

  it('validates the harness registration that Synapse runs with', () => {
    const { registration, warnings } = validateRegistration(harnessRegistration());
    expect(registration.id).toBe(APPSERVICE_ID);
    // The harness's exclusive prefix has no leading underscore: a warning, not an error.
    expect(warnings).toEqual([expect.stringMatching(/^namespaces\.users\[0\]\.regex: exclusive users namespaces should start with '_'/)]);
  });

  it('writes generated registrations that Synapse loads, and matches user ids as Synapse does', async () => {
    const serverName = synapse().serverName;
    const generated = [
      generateRegistration({ id: 'gen-a', url: 'http://127.0.0.1:9/as', serverName, userPrefix: '_gen.a+_', aliasPrefix: '_gen_' }),
      generateRegistration({ id: 'gen-b', url: null, serverName, senderLocalpart: 'genbot', msc3202: true, msc4190: true, protocols: ['irc'] }),
      {
        ...harnessRegistration(),
        namespaces: {
          users: ['@x_.*|@y_', '\\#nope', '(?i)@CAPS_.*', '@(?P<n>q)(?P=n):', '\\A@z_\\Z'].map((regex) => ({ regex, exclusive: false })),
        },
      },
    ];
    const files = generated.map((registration, index) => {
      expect(validateRegistration(registration).registration).toEqual(registration);
      const file = join(dir, `registration-${index}.yaml`);
      writeFileSync(file, registrationToYaml(registration), { mode: 0o600 });
      return file;
    });
    const userIds = [
      `@_gen.a+_bob:${serverName}`,
      `@_genXa+_bob:${serverName}`,
      `@_gen.a+_bob:${serverName}.evil`,
      `@genbot:${serverName}`,
      `@x_1:${serverName}`,
      `@y_:${serverName}`,
      `@zy_:${serverName}`,
      `${synapse().senderUserId}`,
      `@caps_1:${serverName}`,
      `@qq:${serverName}`,
      `@qx:${serverName}`,
      '@z_',
      `@z_:${serverName}`,
    ];
    const loaded = await synapseLoads(files, userIds);
    // Synapse's verdicts are not all alike: the escaped dot and the end anchor hold on its side too.
    expect(loaded[files[0]!]).toMatchObject({ [userIds[0]!]: true, [userIds[1]!]: false, [userIds[2]!]: false, [userIds[7]!]: false });
    generated.forEach((registration, index) => {
      const verdicts = loaded[files[index]!];
      expect(verdicts, `Synapse refused registration ${index}: ${String(verdicts)}`).toBeTypeOf('object');
      const ours = new NamespaceMatcher(registration, serverName);
      expect(Object.fromEntries(userIds.map((u) => [u, ours.isUserInNamespace(u)]))).toEqual(verdicts);
    });
  });

  it('has Synapse refuse what validateRegistration refuses: url missing, namespaces missing, a sender needing URL encoding', async () => {
    const base = generateRegistration({ id: 'bad', url: null, serverName: synapse().serverName, userPrefix: '_bad_' });
    const spoiled: [string, Record<string, unknown>][] = [
      ['url', { ...base, url: undefined }],
      ['namespaces', { ...base, namespaces: undefined }],
      ['sender_localpart', { ...base, sender_localpart: 'bad bot' }],
    ];
    const files = spoiled.map(([field, value]) => {
      expect(() => validateRegistration(value)).toThrow(new RegExp(`- ${field}: `));
      const file = join(dir, `bad-${field}.json`);
      writeFileSync(file, JSON.stringify(value));
      return file;
    });
    const loaded = await synapseLoads(files, []);
    for (const file of files) expect(loaded[file]).toBeTypeOf('string');
  });
});
