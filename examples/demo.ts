/**
 * matrix-fluent in two minutes: a room, a conversation, room state, a media round trip,
 * and (on the local Synapse) the echo bot answering over the sync loop, then the bridge of
 * examples/bridge.ts: the homeserver pushes to an application service, whose ghost answers.
 *
 *   npm run demo                      # starts a throwaway local Synapse (installed on first use)
 *
 *   MATRIX_BASE_URL=https://matrix.example.org MATRIX_ACCESS_TOKEN=syt_... npm run demo
 *                                     # runs against your server instead: one user talks to
 *                                     # itself in a new private room, which it leaves at the end
 *                                     # (no bridge: that needs an appservice registered on the server)
 *
 * Every call below is the Matrix Client-Server API spelled as a chain: a property is a path
 * segment, a call binds path parameters, and get/post/put/delete is the HTTP method.
 * `client.api.rooms(roomId).state('m.room.name', '').put({ name })` is
 * `PUT /_matrix/client/v3/rooms/{roomId}/state/m.room.name/` with `{ name }` as its body.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import {
  createAppservice,
  createClient,
  FileAppserviceStore,
  FileStore,
  isEventOfType,
  isMatrixError,
  listenAppservice,
  type AppserviceRegistration,
  type MatrixClient,
} from '../src/node.js';
import { freePort, startSynapse, type SynapseHandle } from '../test/harness/synapse.js';
import { runBridge } from './bridge.js';
import { runEchoBot } from './echo-bot.js';

/** Someone taking part: a label for the output and a client logged in as them. */
interface Speaker {
  name: string;
  userId: string;
  client: MatrixClient;
}

const started = Date.now();

function step(title: string): void {
  console.log(`\n▸ ${title}`);
}

function detail(text: string): void {
  console.log(`  ${text}`);
}

// ---------------------------------------------------------------------------
// The demo proper: the same steps against the local Synapse or your server.
// ---------------------------------------------------------------------------

async function demo(alice: Speaker, bob: Speaker): Promise<string> {
  const talkingToItself = alice.userId === bob.userId;

  step(talkingToItself ? 'Creating a private room' : `${alice.name} creates a room and invites ${bob.name}, who joins`);
  const { room_id: roomId } = await alice.client.api.createRoom.post({ preset: 'private_chat', name: 'matrix-fluent demo' });
  if (!talkingToItself) {
    await alice.client.api.rooms(roomId).invite.post({ user_id: bob.userId });
    await bob.client.api.rooms(roomId).join.post({});
  }
  const { joined } = await alice.client.api.rooms(roomId).joined_members.get();
  detail(`room    ${roomId}`);
  detail(`members ${Object.keys(joined ?? {}).join(', ')}`);

  step('A short conversation, read back with /messages');
  const lines: [Speaker, string][] = [
    [alice, 'Hi! This room was made with matrix-fluent.'],
    [bob, 'Nice. Every call is a typed chain over the spec.'],
    [alice, 'And 429s are waited out for us.'],
    [bob, 'Time to set a topic, then.'],
  ];
  for (const [speaker, body] of lines) {
    // No transaction id given: the SDK makes one and reuses it if the send is retried.
    await speaker.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body });
  }
  const { chunk } = await bob.client.api.rooms(roomId).messages.get({ dir: 'b', limit: 10 });
  const messages = chunk.filter((event) => event.type === 'm.room.message').reverse();
  const width = Math.max(alice.name.length, bob.name.length);
  for (const event of messages) {
    const who = event.sender === alice.userId ? alice.name : bob.name;
    detail(`${who.padEnd(width)}  ${String(event.content['body'])}`);
  }

  step('Room name and topic, written and read back as state events');
  const room = alice.client.api.rooms(roomId);
  await room.state('m.room.name', '').put({ name: 'matrix-fluent demo: renamed' });
  await room.state('m.room.topic', '').put({ topic: 'Trying out matrix-fluent' });
  const state = await bob.client.api.rooms(roomId).state.get();
  const content = (type: string): Record<string, unknown> => state.find((event) => event.type === type)?.content ?? {};
  detail(`name   ${String(content('m.room.name')['name'])}`);
  detail(`topic  ${String(content('m.room.topic')['topic'])}`);
  detail(`(read from the room's ${state.length} current state events)`);

  step('Media round trip: upload a generated PNG, download it, compare');
  const png = gradientPng(64, 64);
  const { content_uri: uri } = await alice.client.media.upload.post(png, { contentType: 'image/png', filename: 'gradient.png' });
  detail(`uploaded    ${png.byteLength} bytes as ${uri}`);
  const download = await bob.client.media.download(uri).get();
  const bytes = await download.bytes();
  const same = bytes.byteLength === png.byteLength && bytes.every((byte, i) => byte === png[i]);
  detail(`downloaded  ${bytes.byteLength} bytes, ${download.contentType ?? 'no content type'}, file name ${download.filename ?? '(none)'}`);
  detail(`identical   ${same ? 'yes' : 'NO'}`);
  if (!same) throw new Error('the downloaded bytes differ from the uploaded ones');

  return roomId;
}

// ---------------------------------------------------------------------------
// Two ways to run it.
// ---------------------------------------------------------------------------

/** Your server: one user talks to itself in a room the demo creates, then leaves and forgets it. */
async function againstYourServer(baseUrl: string, accessToken: string): Promise<void> {
  console.log(`matrix-fluent demo against ${baseUrl}`);
  const client = createClient({ baseUrl, accessToken });
  step('Who am I?');
  const { user_id: userId, device_id: deviceId } = await client.api.account.whoami.get();
  detail(`${userId}${deviceId ? ` (device ${deviceId})` : ''}`);

  const me: Speaker = { name: 'me', userId, client };
  const roomId = await demo(me, me);

  step('Cleaning up: leaving and forgetting the demo room');
  await client.api.rooms(roomId).leave.post({});
  await client.api.rooms(roomId).forget.post({});
  detail('done');

  step('Skipping the bridge (examples/bridge.ts): it needs an application service registered on the homeserver, which only the local Synapse has');
}

/** A throwaway local Synapse with two fresh users, stopped again at the end. */
async function againstLocalSynapse(): Promise<void> {
  console.log('matrix-fluent demo against a throwaway local Synapse');
  step('Starting Synapse (the first run installs it into .venv/synapse, which takes a minute or two)');
  let synapse: SynapseHandle | undefined;
  try {
    // The bridge's receiver listens here; the homeserver is told so in its appservice registration.
    const bridgePort = await freePort();
    synapse = await startSynapse({ appserviceUrl: `http://127.0.0.1:${bridgePort}`, appserviceEphemeral: true });
    detail(`listening on ${synapse.baseUrl}, ready in ${(synapse.startupMs / 1000).toFixed(1)} s`);

    step('Registering Alice and Bob (through the admin API of the test server)');
    const speakers: Speaker[] = [];
    for (const name of ['Alice', 'Bob']) {
      const user = await synapse.registerUser({ localpart: name.toLowerCase(), displayname: name });
      const client = createClient({ baseUrl: synapse.baseUrl, accessToken: user.accessToken });
      const { user_id: userId } = await client.api.account.whoami.get();
      speakers.push({ name, userId, client });
      detail(`${name.padEnd(5)}  ${userId}`);
    }
    const roomId = await demo(speakers[0]!, speakers[1]!);
    await echoBot(synapse, speakers[0]!, roomId);
    await bridge(synapse, bridgePort, speakers[0]!, roomId);
  } finally {
    if (synapse) {
      await synapse.stop();
      step('Synapse stopped and its data removed');
    }
  }
}

/** The echo bot of examples/echo-bot.ts, syncing as a third user, answers Alice. */
async function echoBot(synapse: SynapseHandle, alice: Speaker, roomId: string): Promise<void> {
  step('The echo bot (examples/echo-bot.ts) joins on invite and answers over the sync loop');
  const user = await synapse.registerUser({ localpart: 'echo', displayname: 'Echo bot' });
  const stateDir = await mkdtemp(join(tmpdir(), 'matrix-fluent-echo-'));
  try {
    // The bot keeps its sync position in a file store: restarted, it would go on where it stopped.
    const bot = createClient({ baseUrl: synapse.baseUrl, accessToken: user.accessToken, sync: { store: new FileStore(stateDir) } });
    const running = runEchoBot(bot, { log: (line) => detail(`bot    ${line}`) });
    await alice.client.api.rooms(roomId).invite.post({ user_id: user.userId });
    await waitFor('the echo bot', async () => (await alice.client.api.rooms(roomId).joined_members.get()).joined?.[user.userId] !== undefined);
    await alice.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'Hello, echo bot!' });
    detail(`Alice  Hello, echo bot!`);
    const answer = await waitFor('the echo bot', async () => {
      const { chunk } = await alice.client.api.rooms(roomId).messages.get({ dir: 'b', limit: 5 });
      return chunk.filter((event) => isEventOfType(event, 'm.room.message'))
        .find((event) => event.sender === user.userId && event.content.msgtype === 'm.notice' && event.content.body === 'Hello, echo bot!');
    });
    detail(`Echo   ${answer.content.body}   (an m.notice)`);
    await alice.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: '!quit' });
    await running;
    detail('the bot stopped on !quit');
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** The bridge of examples/bridge.ts, an application service the homeserver pushes to, answers Alice through a ghost. */
async function bridge(synapse: SynapseHandle, port: number, alice: Speaker, roomId: string): Promise<void> {
  step('The bridge (examples/bridge.ts): Synapse pushes the room to an application service, and a ghost answers');
  const stateDir = await mkdtemp(join(tmpdir(), 'matrix-fluent-bridge-'));
  try {
    const appservice = createAppservice({
      registration: synapse.appserviceRegistration as AppserviceRegistration,
      homeserverUrl: synapse.baseUrl,
      serverName: synapse.serverName,
      // Each transaction is on disk before Synapse gets its 200.
      store: new FileAppserviceStore(stateDir),
    });
    runBridge(appservice, { log: (line) => detail(`bridge ${line}`) });
    const server = await listenAppservice(appservice, { host: '127.0.0.1', port });
    try {
      const ping = await appservice.start();
      detail(`receiver on ${server.url}; Synapse answered its ping${ping.ok ? ` in ${ping.durationMs} ms` : ': NOT OK'}`);
      await alice.client.api.rooms(roomId).invite.post({ user_id: appservice.bot.userId });
      await waitFor('the bridge bot', async () => (await alice.client.api.rooms(roomId).joined_members.get()).joined?.[appservice.bot.userId] !== undefined);
      const { event_id: eventId } = await alice.client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body: 'Hello, bridge!' });
      detail(`Alice  Hello, bridge!`);
      const sent = await alice.client.api.rooms(roomId).event(eventId).get();
      const answer = await waitFor('the ghost', async () => {
        const { chunk } = await alice.client.api.rooms(roomId).messages.get({ dir: 'b', limit: 5 });
        return chunk.filter((event) => isEventOfType(event, 'm.room.message'))
          .find((event) => event.sender !== appservice.bot.userId && event.sender.startsWith(`@${synapse.appserviceUserPrefix}`));
      });
      detail(`${answer.sender}  ${answer.content.body}`);
      detail(`the answer carries the original's timestamp: ${answer.origin_server_ts === sent.origin_server_ts ? 'yes' : 'NO'} (ts ${answer.origin_server_ts})`);
    } finally {
      await appservice.stop({ deadlineMs: 5_000 });
      await server.close();
      detail('the bridge stopped');
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Polls until `check` gives a value (at most 20 s). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const value = await check();
    if (value) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  const baseUrl = process.env['MATRIX_BASE_URL'];
  const accessToken = process.env['MATRIX_ACCESS_TOKEN'];
  if (baseUrl && accessToken) await againstYourServer(baseUrl, accessToken);
  else if (baseUrl || accessToken) throw new Error('set both MATRIX_BASE_URL and MATRIX_ACCESS_TOKEN, or neither for a local Synapse');
  else await againstLocalSynapse();
  console.log(`\nAll done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error: unknown) => {
  // MatrixError messages carry the status, errcode and path, never the access token.
  const reason = isMatrixError(error) || error instanceof Error ? error.message : String(error);
  console.error(`\nThe demo failed: ${reason}`);
  process.exitCode = 1;
});

// ---------------------------------------------------------------------------
// A real PNG, made here so the demo needs no files: an RGB gradient.
// ---------------------------------------------------------------------------

function gradientPng(width: number, height: number): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes: Uint8Array): number => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter, no interlace
  const rows = Buffer.alloc((1 + width * 3) * height); // each row: filter byte 0, then RGB pixels
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rows.set([(x * 255) / (width - 1), (y * 255) / (height - 1), 160], y * (1 + width * 3) + 1 + x * 3);
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Uint8Array(Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]));
}
