// The runtime smoke: what a Deno, Bun (or Node) program gets from `import 'matrix-fluent'`,
// against a live homeserver. Plain JavaScript, so every runtime runs it as it is.
//
// Environment: MATRIX_BASE_URL and MATRIX_ACCESS_TOKEN (a fresh user's), and
// REDIRECT_BASE_URL and REDIRECT_TOKEN (a stand-in homeserver that redirects media
// downloads to another origin, and a throwaway token for it). It checks each step itself (a failed check exits non-zero with the
// reason), then prints one line `SMOKE {json}` with what it did, for the test
// that runs it to check against the homeserver from Node.
import { createClient, MemoryStore } from 'matrix-fluent';

const env = (name) => {
  const value = globalThis.process?.env?.[name] ?? globalThis.Deno?.env.get(name);
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};

function check(ok, what) {
  if (!ok) throw new Error(`smoke check failed: ${what}`);
}

function sameBytes(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** Deterministic bytes of a given length (every value 0..255 appears). */
function pattern(length, seed) {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function streamOf(bytes, chunkSize) {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunkSize));
      at += chunkSize;
    },
  });
}

const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.versions.node}`;
const baseUrl = env('MATRIX_BASE_URL');
const accessToken = env('MATRIX_ACCESS_TOKEN');
const timings = {};
const timed = async (name, step) => {
  const started = performance.now();
  try {
    return await step();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
};

const client = createClient({ baseUrl, accessToken, sync: { store: new MemoryStore(), timeout: 1_000 } });
// Which file `import 'matrix-fluent'` resolved to, and the engine the client chose there.
const entry = import.meta.resolve('matrix-fluent').split('/dist/')[1];
const result = { runtime, entry, engine: client.transport.engine };

result.userId = await timed('whoami', async () => (await client.api.account.whoami.get()).user_id);

const body = `smoke from ${runtime} ${Math.random().toString(36).slice(2)}`;
await timed('send+messages', async () => {
  const { room_id: roomId } = await client.api.createRoom.post({ preset: 'private_chat', name: `smoke ${runtime}` });
  const { event_id: eventId } = await client.api.rooms(roomId).send('m.room.message').put({ msgtype: 'm.text', body });
  const page = await client.api.rooms(roomId).messages.get({ dir: 'b', limit: 10 });
  const found = page.chunk.find((event) => event.event_id === eventId);
  check(found !== undefined && found.content.body === body, 'the sent message is in the room messages');
  Object.assign(result, { roomId, eventId, body });
});

await timed('media', async () => {
  const bytes = pattern(70_000, 1);
  const uploaded = await client.media.upload.post(bytes, { contentType: 'application/octet-stream', filename: 'bytes.bin' });
  const file = await client.media.download(uploaded.content_uri).get();
  check(file.filename === 'bytes.bin', `download filename is ${file.filename}`);
  check(sameBytes(await file.bytes(), bytes), 'bytes round trip');

  const blobBytes = pattern(5_000, 2);
  const blobUpload = await client.media.upload.post(new Blob([blobBytes], { type: 'text/plain' }));
  const blobFile = await client.media.download(blobUpload.content_uri).get();
  check(blobFile.contentType?.startsWith('text/plain') === true, `Blob download type is ${blobFile.contentType}`);
  check(sameBytes(new Uint8Array(await (await blobFile.blob()).arrayBuffer()), blobBytes), 'Blob round trip');

  // A web stream with its length given: runtimes differ here (see the test that runs this).
  const streamBytes = pattern(100_000, 3);
  let stream;
  try {
    const streamUpload = await client.media.upload.post(streamOf(streamBytes, 16_384), { contentType: 'application/octet-stream', size: streamBytes.length });
    const streamFile = await client.media.download(streamUpload.content_uri).get();
    const chunks = [];
    for await (const chunk of streamFile.stream()) chunks.push(chunk);
    const joined = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    check(sameBytes(joined, streamBytes), 'web stream upload, streamed download');
    stream = { uri: streamUpload.content_uri };
  } catch (error) {
    stream = { error: `${error.name}: ${error.message}` };
  }
  // The way around a runtime that cannot: the stream read into a Blob first.
  const viaBlob = await client.media.upload.post(await new Response(streamOf(streamBytes, 16_384)).blob(), { contentType: 'application/octet-stream' });
  check(sameBytes(await (await client.media.download(viaBlob.content_uri).get()).bytes(), streamBytes), 'web stream read into a Blob, round trip');
  result.media = { bytes: uploaded.content_uri, blob: blobUpload.content_uri, stream, streamViaBlob: viaBlob.content_uri };
});

await timed('sync', async () => {
  for await (const batch of client.sync.batches()) {
    const joined = Object.keys(batch.response.rooms?.join ?? {});
    check(joined.includes(result.roomId), 'the first sync batch has the new room');
    const timeline = batch.response.rooms.join[result.roomId].timeline?.events ?? [];
    result.sync = { nextBatch: batch.nextBatch, rooms: joined.length, sawMessage: timeline.some((e) => e.event_id === result.eventId) };
    break;
  }
  check(result.sync !== undefined, 'one sync batch arrived');
  await client.sync.stop();
});

// A media download that the server redirects to another origin: the bytes arrive, and
// the test checks from the servers' logs that the token stayed home.
await timed('redirect', async () => {
  const redirected = createClient({ baseUrl: env('REDIRECT_BASE_URL'), accessToken: env('REDIRECT_TOKEN') });
  const file = await redirected.media.download('mxc://example.org/redirected').get();
  result.redirect = { contentType: file.contentType, length: (await file.bytes()).length };
  await redirected.transport.close?.();
});

await client.transport.close?.();
result.timings = timings;
console.log(`SMOKE ${JSON.stringify(result)}`);
