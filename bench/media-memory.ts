/**
 * Peak memory while streaming a 20 MiB download and upload through the media
 * gateway, against references in the same run: a bare fetch streaming the same
 * download, and reading it whole. Each variant runs in a fresh process (the
 * server stays in this one), which reports its peak RSS (VmHWM) and its RSS
 * before starting. Run: npx tsx bench/media-memory.ts
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient } from '../src/index.js';
import { chunkOf, sendJson, startMediaServer, streamChunks } from '../test/media/media-server.js';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
const COUNT = (20 * MiB) / CHUNK;

function peakRss(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
}

async function child(variant: string, url: string): Promise<void> {
  const client = createClient({ baseUrl: url, accessToken: 'bench' });
  // Warm up the code paths so that what follows measures the data, not the first compile.
  await (await client.media.download('hs', 'small').get()).bytes();
  await fetch(`${url}/_matrix/client/v1/media/download/hs/small`).then((r) => r.arrayBuffer());
  const before = peakRss();
  let bytes = 0;
  if (variant === 'sdk-download') {
    const file = await client.media.download('hs', 'big').get();
    for await (const chunk of file.stream() as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  } else if (variant === 'fetch-download') {
    const response = await fetch(`${url}/_matrix/client/v1/media/download/hs/big`);
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  } else if (variant === 'fetch-whole') {
    const response = await fetch(`${url}/_matrix/client/v1/media/download/hs/big`);
    bytes = (await response.arrayBuffer()).byteLength;
  } else if (variant === 'sdk-upload') {
    let i = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (i < COUNT) {
          controller.enqueue(chunkOf(i++, CHUNK));
          bytes += CHUNK;
        } else controller.close();
      },
    });
    await client.media.upload.post(stream, { contentType: 'application/octet-stream' });
  }
  console.log(JSON.stringify({ before, peak: peakRss(), bytes }));
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  const server = await startMediaServer((req, res) => {
    if (req.url === '/_matrix/client/versions') return sendJson(res, 200, { versions: ['v1.11'] });
    if (req.method === 'POST') return sendJson(res, 200, { content_uri: 'mxc://hs/up' });
    return req.url?.endsWith('/small') ? streamChunks(res, 1, 1024) : streamChunks(res, COUNT, CHUNK, { 'content-length': COUNT * CHUNK });
  });
  const self = fileURLToPath(import.meta.url);
  console.log('20 MiB through the media gateway: peak RSS of a fresh process (MiB)');
  console.log('variant          baseline   peak   growth   bytes');
  try {
    for (const variant of ['fetch-whole', 'fetch-download', 'sdk-download', 'sdk-upload']) {
      // Asynchronous, so this process keeps serving while the child runs.
      const { stdout: out } = await promisify(execFile)(process.execPath, ['--import', 'tsx', self, '--child', variant, server.url], { encoding: 'utf8' });
      const { before, peak, bytes } = JSON.parse(out.trim().split('\n').pop()!) as { before: number; peak: number; bytes: number };
      console.log(`${variant.padEnd(16)} ${(before / MiB).toFixed(1).padStart(8)} ${(peak / MiB).toFixed(1).padStart(6)} ${((peak - before) / MiB).toFixed(1).padStart(8)}   ${bytes}`);
    }
  } finally {
    await server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
