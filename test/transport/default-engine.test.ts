/**
 * The default engine: fetch through the main entry alone, undici once the Node
 * entry (the package's `node` condition) is loaded.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/index.js';

describe('the default engine', () => {
  it('is fetch through the portable main entry, and undici through the Node entry', async () => {
    expect(createClient({ baseUrl: 'http://127.0.0.1:9' }).transport.engine).toBe('fetch');
    const nodeEntry = await import('../../src/index-node.js');
    expect(nodeEntry.createClient({ baseUrl: 'http://127.0.0.1:9' }).transport.engine).toBe('undici');
    // A fetch given by the caller still selects the fetch engine on Node.
    expect(nodeEntry.createClient({ baseUrl: 'http://127.0.0.1:9', fetch: globalThis.fetch }).transport.engine).toBe('fetch');
  });
});
