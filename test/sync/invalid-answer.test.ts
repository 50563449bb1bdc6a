/**
 * A `/sync` answer the loop cannot use (no `next_batch`) is a malformed answer
 * from the server: an `InvalidResponseError` with a scrubbed excerpt, published
 * as `failed` and retried with the loop's backoff, committing nothing.
 */
import { describe, expect, it } from 'vitest';
import { isInvalidResponseError, type InvalidResponseError, type MatrixClient } from '../../src/index.js';
import { MemoryStore } from '../../src/sync/store.js';
import { createClient, ENGINES, useEngine } from '../transport/engines.js';
import { json, text, useTestServers, type Handler } from '../transport/http-test-server.js';

const TOKEN = 'syt_c3luYw_NoNextBatch_7f3a9c';
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const start = useTestServers();
/** A long poll that never answers (the loop is stopped while it waits). */
const hang: Handler = () => {};

/** A store that records every change the loop commits. */
class RecordingStore extends MemoryStore {
  readonly writes: string[] = [];
  override write(changes: ReadonlyMap<string, unknown>): Promise<void> {
    this.writes.push([...changes.keys()].join(','));
    return super.write(changes);
  }
  override set(key: string, value: unknown): Promise<void> {
    this.writes.push(key);
    return super.set(key, value);
  }
}

describe.each(ENGINES)('on the %s engine', (engine) => {
  useEngine(engine);

  it('a /sync answer without next_batch is an InvalidResponseError, retried with backoff, committing nothing', async () => {
    const server = await start([
      json(200, { rooms: { join: {} }, note: `echo ${TOKEN}`, refresh_token: 'syr_leaked_refresh_0001' }),
      json(200, { next_batch: 42 }),
      text(200, '[]', 'application/json'),
      json(200, { next_batch: 's1', rooms: {} }),
      hang,
    ]);
    const store = new RecordingStore();
    const slept: number[] = [];
    let client: MatrixClient | undefined;
    const failures: { attempt: number; delayMs: number; error: unknown; writes: number }[] = [];
    client = createClient({
      baseUrl: server.url,
      accessToken: TOKEN,
      logger: silent,
      sync: {
        store,
        random: () => 0.5, // no jitter: exactly 2 s, 4 s, 8 s
        sleep: (ms) => {
          slept.push(ms);
          return Promise.resolve();
        },
      },
    });
    client.on('failed', ({ attempt, delayMs, error }) => void failures.push({ attempt, delayMs, error, writes: store.writes.length }));
    try {
      await client.sync.start();
      expect(failures.map((f) => `${f.attempt} ${f.delayMs}`)).toEqual(['1 2000', '2 4000', '3 8000']);
      // Not a hot loop: each malformed answer is followed by the growing backoff.
      expect(slept).toEqual([2000, 4000, 8000]);
      // Nothing was committed while the answers were malformed, and no request carried a position.
      expect(failures.map((f) => f.writes)).toEqual([0, 0, 0]);
      expect(server.requests.slice(0, 4).map((r) => new URL(r.url, server.url).searchParams.get('since'))).toEqual([null, null, null, null]);
      expect(await store.get('sync.next_batch')).toBe('s1');

      const [first, second, third] = failures.map((f) => f.error as InvalidResponseError);
      for (const error of [first, second, third]) expect(isInvalidResponseError(error)).toBe(true);
      expect(first!.message).toBe('[200] Response body is an object without a string next_batch, where the /sync answer needs one: GET /_matrix/client/v3/sync');
      expect(first!.status).toBe(200);
      expect(first!.excerpt).toContain('"rooms":{"join":{}}');
      expect(first!.excerpt).toContain('<redacted>');
      expect(first!.excerpt).not.toContain(TOKEN);
      expect(first!.excerpt).not.toContain('syr_leaked');
      expect(second!.excerpt).toBe('{"next_batch":42}');
      // The transport's own verdict on a body that is no object at all.
      expect(third!.message).toMatch(/^\[200\] Response body is an array, where the operation answers an object: GET/);
    } finally {
      await client.sync.stop();
    }
  });
});
