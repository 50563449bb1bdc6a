/**
 * Incoming events of the sync loop under the opt-in validation, from a scripted
 * local homeserver: `drop` keeps an invalid event from every handler and still
 * commits the position past it; `warn` delivers it and logs one line.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type InvalidEventInfo, type MatrixClient, type TransportLogger } from '../../src/index.js';
import { eventValidation } from '../../src/validation/index.js';
import { hang, message, reply, startFakeServer, stateEvent, syncBody, type FakeServer } from '../sync/fake-server.js';

let server: FakeServer | undefined;
let client: MatrixClient | undefined;

afterEach(async () => {
  await client?.sync.stop();
  await server?.close();
  client = undefined;
  server = undefined;
});

function recordingLogger(): TransportLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
}

const ROOM = '!room:test';
const bad = { ...message('x'), content: { msgtype: 'm.text' } };
const badSender = { ...message('y'), sender: 'mallory' };
const good = message('hello');

function batch(): Record<string, unknown> {
  return syncBody('s1', {
    join: {
      [ROOM]: {
        state: { events: [stateEvent('m.room.member', '@bob:test', { membership: 'wizard' }), stateEvent('m.room.name', '', { name: 'Lobby' })] },
        timeline: { events: [bad, good, badSender] },
      },
    },
  }, {
    account_data: { events: [{ type: 'm.direct', content: { '@bob:test': 'not a list' } }] },
    to_device: { events: [{ type: 'm.room_key_request', sender: '@bob:test', content: { action: 'request' } }] },
  });
}

describe('sync events with validation on', () => {
  it('under drop, no handler sees an invalid event, each is published as invalid, and the position moves past them', async () => {
    server = await startFakeServer([reply(batch()), hang]);
    const logger = recordingLogger();
    const validate = eventValidation({ incoming: 'drop' });
    const c = (client = createClient({ baseUrl: server.url, accessToken: 'tok', logger, validate }));
    const messages: unknown[] = [];
    const timelines: unknown[][] = [];
    const members: unknown[] = [];
    const invalid: InvalidEventInfo[] = [];
    const others: string[] = [];
    c.on('m.room.message', (event) => void messages.push(event));
    c.on('timeline', ({ events }) => void timelines.push([...events]));
    c.on('m.room.member', (event) => void members.push(event));
    c.on('m.direct', () => void others.push('m.direct'));
    c.on('m.room_key_request', () => void others.push('m.room_key_request'));
    c.on('invalid', (info) => void invalid.push(info));
    await c.sync.start();
    await server.waitForSync(2);

    expect(messages).toEqual([good]);
    expect(timelines).toEqual([[good]]);
    expect(members).toEqual([]);
    expect(others).toEqual([]);
    expect(c.sync.state.getState(ROOM, 'm.room.member', '@bob:test')).toBeUndefined();
    expect(c.sync.state.getState(ROOM, 'm.room.name', '')).toBeDefined();
    expect(invalid.map((i) => [i.source, i.type, i.action, i.issues[0]!.path])).toEqual([
      ['account_data', 'm.direct', 'dropped', 'content["@bob:test"]'],
      ['to_device', 'm.room_key_request', 'dropped', 'content.requesting_device_id'],
      ['state', 'm.room.member', 'dropped', 'content.membership'],
      ['timeline', 'm.room.message', 'dropped', 'content.body'],
      ['timeline', 'm.room.message', 'dropped', 'sender'],
    ]);
    expect(invalid[3]!.event).toEqual(bad); // the event itself, for the application to inspect
    expect(validate.counts.incomingDropped).toBe(5);
    // Never stalled: the position was committed past the dropped events, and the next poll uses it.
    expect(c.sync.position).toBe('s1');
    expect(server.syncs[1]!.query.get('since')).toBe('s1');
    expect(logger.warnings).toHaveLength(5);
    expect(logger.warnings[3]).toMatch(/^Dropped an invalid "m\.room\.message" event from sync timeline of a room: content\.body: expected present, found missing$/);
  });

  it('under warn, every handler gets the event and one line per event is logged', async () => {
    server = await startFakeServer([reply(batch()), hang]);
    const logger = recordingLogger();
    const validate = eventValidation({ incoming: 'warn' });
    const c = (client = createClient({ baseUrl: server.url, accessToken: 'tok', logger, validate }));
    const messages: unknown[] = [];
    const actions: string[] = [];
    c.on('m.room.message', (event) => void messages.push(event));
    c.on('invalid', ({ action }) => void actions.push(action));
    await c.sync.start();
    await server.waitForSync(2);
    expect(messages).toEqual([bad, good, badSender]);
    expect(actions).toEqual(['warned', 'warned', 'warned', 'warned', 'warned']);
    expect(logger.warnings).toHaveLength(5);
    expect(logger.warnings[0]).toMatch(/^Delivering an invalid "m\.direct" event from sync account_data: /);
    expect(validate.counts.incomingWarned).toBe(5);
  });

  it('an invalid handler that throws is reported as an error and delivery goes on', async () => {
    server = await startFakeServer([reply(batch()), hang]);
    const c = (client = createClient({ baseUrl: server.url, accessToken: 'tok', logger: recordingLogger(), validate: eventValidation({ incoming: 'drop' }) }));
    const errors: string[] = [];
    const messages: unknown[] = [];
    c.on('invalid', () => {
      throw new Error('handler bug');
    });
    c.on('error', ({ event }) => void errors.push(event));
    c.on('m.room.message', (event) => void messages.push(event));
    await c.sync.start();
    await server.waitForSync(2);
    expect(errors).toHaveLength(5);
    expect(errors[0]).toBe('invalid');
    expect(messages).toEqual([good]);
    expect(c.sync.position).toBe('s1');
  });
});
