/**
 * The smoke script (smoke.mjs) under Deno and Bun, with Node as the reference, each
 * in a consumer project that imports `matrix-fluent` by name, against the suite's
 * Synapse: whoami, send, messages, a media round trip (bytes, Blob, web stream) and
 * one sync batch; then a media download that a stand-in server redirects to another
 * origin. The script checks each step; this test then checks from Node that what it
 * reports is really on the homeserver, and that the token never reached the other origin.
 */
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';
import { newUser, synapse } from '../e2e/helpers.js';
import { expectTokenStayedHome, startRedirectPair } from './redirect-servers.js';
import { announceMissing, consumerProject, ensureBuilt, findNpmRuntime, patternHex, type Runtime } from './runtimes.js';

type MxcUri = `mxc://${string}`;

interface SmokeResult {
  runtime: string;
  entry: string;
  engine: string;
  userId: string;
  roomId: string;
  eventId: string;
  body: string;
  media: { bytes: MxcUri; blob: MxcUri; stream: { uri: MxcUri } | { error: string }; streamViaBlob: MxcUri };
  sync: { nextBatch: string; rooms: number; sawMessage: boolean };
  redirect: { contentType: string; length: number };
  timings: Record<string, number>;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(command: string, args: readonly string[], cwd: string, env: Record<string, string>): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

async function downloadHex(client: ReturnType<typeof createClient>, uri: `mxc://${string}`): Promise<string> {
  return Buffer.from(await (await client.media.download(uri).get()).bytes()).toString('hex');
}

const RUNTIMES: { runtime: Runtime; args: (script: string) => string[] }[] = [
  { runtime: { name: 'node', path: process.execPath }, args: (script) => [script] },
  {
    runtime: findNpmRuntime('deno'),
    // The consumer's node_modules as npm laid it out; the network only to the loopback homeserver.
    args: (script) => ['run', '--node-modules-dir=manual', '--no-lock', '--allow-net=127.0.0.1', '--allow-env=MATRIX_BASE_URL,MATRIX_ACCESS_TOKEN,REDIRECT_BASE_URL,REDIRECT_TOKEN', script],
  },
  { runtime: findNpmRuntime('bun'), args: (script) => [script] },
];

let consumer = '';
const timings: string[] = [];

beforeAll(() => {
  const buildMs = ensureBuilt();
  if (buildMs > 0) timings.push(`build ${Math.round(buildMs)} ms`);
  consumer = consumerProject();
  copyFileSync(fileURLToPath(new URL('smoke.mjs', import.meta.url)), join(consumer, 'smoke.mjs'));
});

afterAll(() => {
  if (timings.length > 0) process.stderr.write(`[runtimes] smoke: ${timings.join(', ')}\n`);
});

for (const { runtime, args } of RUNTIMES) {
  const suite = `the ${runtime.name} smoke`;
  if (runtime.missing !== undefined) {
    announceMissing(runtime, suite);
    describe.skip(`${suite} (skipped: ${runtime.missing})`, () => {
      it(`${runtime.name} runs the smoke script against Synapse`, () => undefined);
    });
    continue;
  }
  const command = runtime.path;
  describe(suite, () => {
    it(`${runtime.name} imports matrix-fluent by name and runs whoami, send, messages, a media round trip and one sync batch against Synapse, and keeps its token on a cross-origin media redirect`, async () => {
      const user = await newUser();
      const redirectToken = `smoke-secret-${runtime.name}-${Date.now()}`;
      const pair = await startRedirectPair(Buffer.from(patternHex(2_000, 4), 'hex'));
      let outcome: Run;
      try {
        outcome = await run(command, args('smoke.mjs'), consumer, {
          MATRIX_BASE_URL: synapse().baseUrl,
          MATRIX_ACCESS_TOKEN: user.accessToken,
          REDIRECT_BASE_URL: pair.homeserver.url,
          REDIRECT_TOKEN: redirectToken,
        });
      } finally {
        await pair.close();
      }
      timings.push(`${runtime.name} ${Math.round(outcome.ms)} ms`);
      expect(outcome.code, `${runtime.name} exited with ${outcome.code}:\n${outcome.stderr}`).toBe(0);
      expect(outcome.stdout + outcome.stderr, 'the token never shows in the output').not.toContain(user.accessToken);
      const line = outcome.stdout.split('\n').find((l) => l.startsWith('SMOKE '));
      expect(line, outcome.stdout).toBeDefined();
      const result = JSON.parse(line!.slice('SMOKE '.length)) as SmokeResult;

      expect(result.runtime.startsWith(runtime.name)).toBe(true);
      // Deno and Bun resolve the package's `node` condition like Node does, and get the
      // fetch engine there (undici stays Node's); Node 20.18.1+ gets undici.
      expect(result.entry).toBe('src/index-node.js');
      expect(result.engine).toBe(runtime.name === 'node' ? 'undici' : 'fetch');
      expect(result.userId).toBe(user.userId);
      expect(result.sync.sawMessage).toBe(true);
      expect(result.sync.rooms).toBeGreaterThanOrEqual(1);
      // The redirected download arrived, and its token never reached the other origin.
      expect(result.redirect).toEqual({ contentType: 'application/x-recorded', length: 2_000 });
      expectTokenStayedHome(pair, redirectToken);

      // What the script reports is on the homeserver, read back from Node.
      const reader = createClient({ baseUrl: synapse().baseUrl, accessToken: user.accessToken });
      const event = await reader.api.rooms(result.roomId).event(result.eventId).get();
      expect(event.content).toMatchObject({ msgtype: 'm.text', body: result.body });
      expect(await downloadHex(reader, result.media.bytes)).toBe(patternHex(70_000, 1));
      expect(await downloadHex(reader, result.media.blob)).toBe(patternHex(5_000, 2));
      expect(await downloadHex(reader, result.media.streamViaBlob)).toBe(patternHex(100_000, 3));

      if (runtime.name === 'deno') {
        // Deno's fetch sends a stream body chunked whatever Content-Length says, and
        // Synapse refuses a chunked upload: a known difference, not a pass.
        expect(result.media.stream).toEqual({ error: expect.stringContaining('Request must specify a Content-Length') });
      } else {
        expect(result.media.stream, JSON.stringify(result.media.stream)).toHaveProperty('uri');
        const uri = (result.media.stream as { uri: MxcUri }).uri;
        expect(await downloadHex(reader, uri)).toBe(patternHex(100_000, 3));
      }
    });
  });
}
