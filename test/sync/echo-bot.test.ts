/**
 * The echo bot example against the scripted local homeserver, with a file store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../src/node.js';
import { runEchoBot } from '../../examples/echo-bot.js';
import { hang, message, reply, startFakeServer, stateEvent, syncBody, type FakeServer } from './fake-server.js';
import { ENGINES, useEngine, createClient } from '../transport/engines.js';

let server: FakeServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const BOT = '@bot:test';
const room = '!r:test';
const timeline = (nextBatch: string, events: unknown[]) => reply(syncBody(nextBatch, { join: { [room]: { timeline: { events } } } }));

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  describe('echo bot example', () => {
    it('joins on invite, echoes m.text as m.notice, ignores itself, quits on !quit, resumes after restart', async () => {
      dir = await mkdtemp(join(tmpdir(), 'mf-echo-'));
      server = await startFakeServer(
        [
          reply(syncBody('s1', { join: { '!old:test': { timeline: { events: [message('old history')] } } } })),
          reply(syncBody('s2', { invite: { [room]: { invite_state: { events: [stateEvent('m.room.name', '', { name: 'R' })] } } } })),
          timeline('s3', [
            message('hello', '@alice:test', '$hello'),
            message('hello', BOT, '$own'),
            { ...message('pic', '@alice:test', '$img'), content: { msgtype: 'm.image', body: 'pic', url: 'mxc://x/y' } },
          ]),
          timeline('s4', [message('!quit', '@alice:test', '$quit'), message('after quit', '@alice:test', '$after')]),
          // After the restart:
          timeline('s5', [message('again', '@alice:test', '$again')]),
          hang,
        ],
        {
          'POST /_matrix/client/v3/join/!r:test': reply({ room_id: room }),
          'PUT /_matrix/client/v3/rooms/!r:test/send/m.room.message/.*': reply({ event_id: '$sent' }),
        },
      );
      const make = () => createClient({ baseUrl: server!.url, accessToken: 'tok', sync: { store: new FileStore(dir!) } });
      const lines: string[] = [];
      await runEchoBot(make(), { userId: BOT, log: (l) => lines.push(l) });
      const sent = () => server!.requests.filter((r) => r.method === 'PUT').map((r) => [r.path.split('/').pop(), r.body]);
      expect(server.requests.some((r) => r.method === 'POST' && r.path === `/_matrix/client/v3/join/${room}`)).toBe(true);
      expect(sent()).toEqual([
        ['echo-$hello', { msgtype: 'm.notice', body: 'hello', 'm.mentions': {} }],
        ['quit-$quit', { msgtype: 'm.notice', body: 'Bye!', 'm.mentions': {} }],
        ['echo-$after', { msgtype: 'm.notice', body: 'after quit', 'm.mentions': {} }],
      ]);
      expect(server.syncs).toHaveLength(4);

      // Restart: resumes from s4 (the quit batch was committed), answers what came since.
      const restarted = make();
      const running = runEchoBot(restarted, { userId: BOT, log: (l) => lines.push(l) });
      await server.waitForSync(6);
      await restarted.sync.stop();
      await running;
      expect(server.syncs[4]!.query.get('since')).toBe('s4');
      expect(sent().at(-1)).toEqual(['echo-$again', { msgtype: 'm.notice', body: 'again', 'm.mentions': {} }]);
      expect(lines).toContain(`joined ${room}`);
    });

    it('does not answer the history that comes before its own join in the joining batch', async () => {
      dir = await mkdtemp(join(tmpdir(), 'mf-echo-'));
      server = await startFakeServer(
        [
          reply(syncBody('s1')),
          timeline('s2', [
            message('said before the bot came', '@alice:test', '$before'),
            stateEvent('m.room.member', BOT, { membership: 'join' }, BOT),
            message('said after it joined', '@alice:test', '$after'),
            message('!quit', '@alice:test', '$quit'),
          ]),
          hang,
        ],
        { 'PUT /_matrix/client/v3/rooms/!r:test/send/m.room.message/.*': reply({ event_id: '$sent' }) },
      );
      const client = createClient({ baseUrl: server.url, accessToken: 'tok', sync: { store: new FileStore(dir) } });
      await runEchoBot(client, { userId: BOT });
      const sent = server.requests.filter((r) => r.method === 'PUT').map((r) => r.path.split('/').pop());
      expect(sent).toEqual(['echo-$after', 'quit-$quit']);
    });
  });
});
