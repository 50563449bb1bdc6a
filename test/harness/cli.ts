/**
 * Command-line front end for the Synapse test harness.
 *
 * Usage: `npx tsx test/harness/cli.ts <install|start|smoke>`
 * - `install`: install the pinned Synapse into `.venv/synapse` (cached).
 * - `start`:   start a throwaway homeserver, print its details, run until Ctrl-C.
 * - `smoke`:   start one, exercise registration, rooms, messaging and ratelimit overrides, stop.
 *
 * @module
 */
import { ensureSynapse, startSynapse, type SynapseHandle } from './synapse.js';

async function api<T>(
  handle: SynapseHandle,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${handle.baseUrl}${path}`, init);
  const json = (await res.json()) as T;
  return { status: res.status, json };
}

async function ok<T>(p: Promise<{ status: number; json: T }>, what: string): Promise<T> {
  const { status, json } = await p;
  if (status !== 200) throw new Error(`${what}: HTTP ${status} ${JSON.stringify(json)}`);
  return json;
}

async function smoke(): Promise<void> {
  const handle = await startSynapse();
  try {
    console.log(`homeserver ${handle.serverName} at ${handle.baseUrl} (pid ${handle.pid}) started in ${handle.startupMs} ms`);
    const alice = await handle.registerUser({ displayname: 'Alice' });
    const bob = await handle.registerUser();
    console.log(`registered ${alice.userId} and ${bob.userId}`);

    const { room_id: roomId } = await ok<{ room_id: string }>(
      api(handle, alice.accessToken, 'POST', '/_matrix/client/v3/createRoom', { preset: 'private_chat', name: 'smoke' }),
      'createRoom',
    );
    const enc = encodeURIComponent(roomId);
    await ok(api(handle, alice.accessToken, 'POST', `/_matrix/client/v3/rooms/${enc}/invite`, { user_id: bob.userId }), 'invite');
    const text = `hello from the smoke test ${Date.now()}`;
    const { event_id: eventId } = await ok<{ event_id: string }>(
      api(handle, alice.accessToken, 'PUT', `/_matrix/client/v3/rooms/${enc}/send/m.room.message/txn1`, {
        msgtype: 'm.text',
        body: text,
      }),
      'send',
    );
    await ok(api(handle, bob.accessToken, 'POST', `/_matrix/client/v3/join/${enc}`, {}), 'join');
    const { chunk } = await ok<{ chunk: Array<{ event_id: string; type: string; content: { body?: string } }> }>(
      api(handle, bob.accessToken, 'GET', `/_matrix/client/v3/rooms/${enc}/messages?dir=b&limit=20`),
      'messages',
    );
    const seen = chunk.find((e) => e.event_id === eventId);
    if (seen?.content.body !== text) throw new Error(`bob did not read the message back: ${JSON.stringify(chunk)}`);
    console.log(`bob read back ${eventId}: "${text}"`);

    // A real 429: throttle bob, then send quickly.
    await handle.overrideRatelimit(bob.userId, { messagesPerSecond: 1, burstCount: 1 });
    const statuses: number[] = [];
    let retryAfterMs: unknown;
    for (let i = 0; i < 5; i++) {
      const r = await api<{ retry_after_ms?: number }>(
        handle,
        bob.accessToken,
        'PUT',
        `/_matrix/client/v3/rooms/${enc}/send/m.room.message/rl${i}`,
        { msgtype: 'm.text', body: `burst ${i}` },
      );
      statuses.push(r.status);
      if (r.status === 429) retryAfterMs = r.json.retry_after_ms;
    }
    if (!statuses.includes(429)) throw new Error(`expected a 429 after override_ratelimit, got ${statuses.join(',')}`);
    console.log(`ratelimit override: statuses ${statuses.join(',')} (retry_after_ms ${String(retryAfterMs)})`);

    // Appservice token works and owns its sender.
    const who = await ok<{ user_id: string }>(
      api(handle, handle.asToken, 'GET', '/_matrix/client/v3/account/whoami'),
      'appservice whoami',
    );
    if (who.user_id !== handle.senderUserId) throw new Error(`appservice whoami gave ${who.user_id}`);
    console.log(`appservice sender ${who.user_id} ok`);

    const rss = await handle.memoryRssBytes();
    console.log(`memory RSS ${(rss / 1024 / 1024).toFixed(1)} MiB; start-up ${handle.startupMs} ms`);
  } finally {
    await handle.stop();
  }
  console.log('smoke OK');
}

async function main(): Promise<void> {
  const command = process.argv[2];
  switch (command) {
    case 'install': {
      const started = Date.now();
      const { python, version } = await ensureSynapse();
      console.log(`matrix-synapse ${version} ready (${python}) in ${Date.now() - started} ms`);
      return;
    }
    case 'start': {
      const handle = await startSynapse();
      console.log(`baseUrl     ${handle.baseUrl}`);
      console.log(`serverName  ${handle.serverName}`);
      console.log(`startupMs   ${handle.startupMs}`);
      console.log(`sharedSecret ${handle.registrationSharedSecret}`);
      console.log(`asToken     ${handle.asToken}`);
      console.log(`dataDir     ${handle.dataDir}`);
      console.log('Press Ctrl-C to stop.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await handle.stop();
      console.log('stopped');
      return;
    }
    case 'smoke':
      await smoke();
      return;
    default:
      console.error('usage: tsx test/harness/cli.ts <install|start|smoke>');
      process.exitCode = 2;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
