/**
 * Each convenience is one call of the chains: the request it makes, and what it answers.
 */
import { describe, expect, it } from 'vitest';
import {
  createClient,
  edit,
  getState,
  html,
  joinRoom,
  leaveRoom,
  react,
  redact,
  reply,
  sendHtml,
  sendNotice,
  sendText,
  setAvatarUrl,
  setDisplayName,
} from '../../src/index.js';
import { json, useTestServers } from '../transport/http-test-server.js';

const startServer = useTestServers();

async function setup() {
  const server = await startServer((req, res, ctx) => {
    const url = req.url ?? '';
    const answer = url.includes('/whoami')
      ? { user_id: '@me:example.org' }
      : url.includes('/join/')
        ? { room_id: '!joined:example.org' }
        : url.includes('/state/')
          ? { name: 'The room' }
          : url.includes('/send/') || url.includes('/redact/')
            ? { event_id: '$new' }
            : {};
    return json(200, answer)(req, res, ctx);
  });
  const client = createClient({ baseUrl: server.url, accessToken: 'token', engine: 'fetch' });
  const sent = () => server.requests.map((r) => ({ method: r.method, url: r.url, body: r.body.length === 0 ? undefined : JSON.parse(r.body.toString()) }));
  return { client, sent };
}

const roomId = '!room:example.org';
const original = { event_id: '$original', sender: '@alice:example.org', content: { msgtype: 'm.text', body: 'hi' } };

describe('the conveniences', () => {
  it('sendText, sendNotice and sendHtml send an m.room.message and answer its event id', async () => {
    const { client, sent } = await setup();
    expect(await sendText(client, roomId, 'Hello')).toBe('$new');
    expect(await sendNotice(client, roomId, 'Notice', { txnId: 'fixed-1' })).toBe('$new');
    expect(await sendHtml(client, roomId, '<b>Bold</b>', { msgtype: 'm.notice' })).toBe('$new');
    const [textSend, noticeSend, htmlSend] = sent();
    expect(textSend).toMatchObject({ method: 'PUT', body: { msgtype: 'm.text', body: 'Hello', 'm.mentions': {} } });
    expect(textSend!.url).toMatch(/^\/_matrix\/client\/v3\/rooms\/!room%3Aexample\.org\/send\/m\.room\.message\/mf\./);
    expect(noticeSend).toEqual({ method: 'PUT', url: '/_matrix/client/v3/rooms/!room%3Aexample.org/send/m.room.message/fixed-1', body: { msgtype: 'm.notice', body: 'Notice', 'm.mentions': {} } });
    expect(htmlSend!.body).toEqual({ msgtype: 'm.notice', body: 'Bold', 'm.mentions': {}, format: 'org.matrix.custom.html', formatted_body: '<b>Bold</b>' });
  });

  it('reply, edit and react send the relation builders over the send chain', async () => {
    const { client, sent } = await setup();
    await reply(client, roomId, original, 'answer');
    await reply(client, roomId, original, html('<i>answer</i>'));
    await edit(client, roomId, '$original', 'fixed');
    await react(client, roomId, original, '👍', { txnId: 'react-1' });
    const [plainReply, htmlReply, edited, reacted] = sent();
    expect(plainReply!.body).toEqual({ msgtype: 'm.text', body: 'answer', 'm.mentions': { user_ids: ['@alice:example.org'] }, 'm.relates_to': { 'm.in_reply_to': { event_id: '$original' } } });
    expect(htmlReply!.body).toMatchObject({ formatted_body: '<i>answer</i>', 'm.relates_to': { 'm.in_reply_to': { event_id: '$original' } } });
    expect(edited!.body).toMatchObject({ body: '* fixed', 'm.new_content': { body: 'fixed' }, 'm.relates_to': { rel_type: 'm.replace', event_id: '$original' } });
    expect(reacted).toEqual({
      method: 'PUT',
      url: '/_matrix/client/v3/rooms/!room%3Aexample.org/send/m.reaction/react-1',
      body: { 'm.relates_to': { rel_type: 'm.annotation', event_id: '$original', key: '👍' } },
    });
  });

  it('redact puts a redaction with its reason, leaveRoom posts leave', async () => {
    const { client, sent } = await setup();
    expect(await redact(client, roomId, '$bad', { reason: 'spam', txnId: 'r1' })).toBe('$new');
    await leaveRoom(client, roomId);
    await leaveRoom(client, roomId, { reason: 'bye' });
    expect(sent()).toEqual([
      { method: 'PUT', url: '/_matrix/client/v3/rooms/!room%3Aexample.org/redact/%24bad/r1', body: { reason: 'spam' } },
      { method: 'POST', url: '/_matrix/client/v3/rooms/!room%3Aexample.org/leave', body: {} },
      { method: 'POST', url: '/_matrix/client/v3/rooms/!room%3Aexample.org/leave', body: { reason: 'bye' } },
    ]);
  });

  it('joinRoom joins by alias through the servers given, and answers the room id', async () => {
    const { client, sent } = await setup();
    expect(await joinRoom(client, '#room:example.org', { via: ['a.example', 'b.example'], reason: 'hello' })).toBe('!joined:example.org');
    expect(sent()).toEqual([{ method: 'POST', url: '/_matrix/client/v3/join/%23room%3Aexample.org?via=a.example&via=b.example', body: { reason: 'hello' } }]);
  });

  it('getState reads a state event, with the empty state key by default', async () => {
    const { client, sent } = await setup();
    expect(await getState(client, roomId, 'm.room.name')).toEqual({ name: 'The room' });
    await getState(client, roomId, 'm.space.child', '!child:example.org');
    expect(sent().map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /_matrix/client/v3/rooms/!room%3Aexample.org/state/m.room.name/',
      'GET /_matrix/client/v3/rooms/!room%3Aexample.org/state/m.space.child/!child%3Aexample.org',
    ]);
  });

  it('the profile setters ask whoami once per client, or use the user id given', async () => {
    const { client, sent } = await setup();
    await setDisplayName(client, 'Bot');
    await setAvatarUrl(client, 'mxc://example.org/abc');
    await setDisplayName(client, 'Other', { userId: '@other:example.org' });
    expect(sent()).toEqual([
      { method: 'GET', url: '/_matrix/client/v3/account/whoami', body: undefined },
      { method: 'PUT', url: '/_matrix/client/v3/profile/%40me%3Aexample.org/displayname', body: { displayname: 'Bot' } },
      { method: 'PUT', url: '/_matrix/client/v3/profile/%40me%3Aexample.org/avatar_url', body: { avatar_url: 'mxc://example.org/abc' } },
      { method: 'PUT', url: '/_matrix/client/v3/profile/%40other%3Aexample.org/displayname', body: { displayname: 'Other' } },
    ]);
  });
});
