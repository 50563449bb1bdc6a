/**
 * The contract with the spec: for every Client-Server operation of each spec
 * version, the public gateway sends exactly the method and URL the spec
 * defines, with every path parameter percent-encoded; the route table holds
 * exactly the spec's operations.
 */
import { describe, expect, it } from 'vitest';
import { KNOWN_SPECS, PINNED_SPEC } from '../../spec/pin.js';
import { findSpecDir } from '../../spec/resolve.js';
import { generate } from '../../codegen/generate.js';
import { chainTrees, routeRow } from '../../codegen/emit-routes.js';
import { createClientWithTable } from '../../src/client.js';
import { isInvalidResponseError } from '../../src/errors/index.js';
import { GENERATED_TABLE, type RouteTable } from '../../src/gateway/dispatch.js';
import type { RouteInfo } from '../../generated/routes.js';
import { chainsFor, readSpecOps, type SpecOp } from './read-spec.js';
import { recordingFetch } from '../support/recording-fetch.js';

const BASE = 'http://hs.test';

/** A value for a path parameter with characters that must be encoded. */
function sample(name: string): string {
  return `${name}!$#:@/? é`;
}

function expectedPath(op: SpecOp): string {
  return op.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(sample(name)));
}

interface Node {
  (...args: string[]): Node;
  [segment: string]: Node & ((...args: unknown[]) => Promise<unknown>);
}

/** Drives one chain: properties for literals, one call per run of parameters, then the verb. */
async function drive(root: unknown, segments: string[], op: SpecOp): Promise<void> {
  let node = root as Node;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment === '' && i === segments.length - 1) break; // trailing slash: the verb sits on the parent
    if (/^\{.+\}$/.test(segment)) {
      const values: string[] = [];
      while (i < segments.length && /^\{(.+)\}$/.test(segments[i]!)) values.push(sample(segments[i++]!.slice(1, -1)));
      i--;
      node = node(...values);
    } else {
      node = node[segment]!;
    }
  }
  const verb = node[op.method.toLowerCase()]!;
  const args = op.body === 'json' ? [{}] : op.body === 'binary' ? [new Uint8Array([1, 2, 3]), { contentType: 'application/octet-stream' }] : [];
  // The recording fetch answers {} to everything: an operation that answers an array judges it invalid after sending.
  const result = await verb(...args).catch((error: unknown) => {
    if (!isInvalidResponseError(error)) throw error;
    return undefined;
  });
  if (result && typeof result === 'object' && 'stream' in result) await (result as unknown as { bytes(): Promise<unknown> }).bytes();
}

async function tableFor(version: string, dir: string): Promise<RouteTable> {
  if (version === PINNED_SPEC.version) return GENERATED_TABLE;
  const pin = KNOWN_SPECS.find((p) => p.version === version)!;
  const { routes } = await generate(dir, pin.version, pin.commit);
  return {
    routes: Object.fromEntries(routes.map((r) => [r.route, routeRow(r) as RouteInfo])),
    trees: chainTrees(routes),
  };
}

for (const { version } of KNOWN_SPECS) {
  const dir = findSpecDir(version);
  // The pinned tree is always required; another version may be absent on a developer's machine, never in CI
  // nor in a spec bump (MATRIX_SPEC_ALL=1).
  const required = version === PINNED_SPEC.version || process.env.CI !== undefined || process.env.MATRIX_SPEC_ALL === '1';
  describe.skipIf(!dir && !required)(`the gateway against the ${version} spec`, () => {
    const specDir = dir ?? '';

    it('finds the spec tree', () => {
      expect(dir, `spec ${version}: run npm run spec:fetch -- --version ${version}`).toBeDefined();
    });

    it('holds exactly the spec operations in its route table, none missing, none extra', async () => {
      const table = await tableFor(version, specDir);
      const spec = [...readSpecOps(specDir, 'client-server'), ...readSpecOps(specDir, 'application-service')];
      expect(Object.keys(table.routes).sort()).toEqual(spec.map((op) => `${op.method} ${op.path}`).sort());
    });

    it('sends every Client-Server operation with its method and encoded URL', { timeout: 60_000 }, async () => {
      const table = await tableFor(version, specDir);
      const ops = readSpecOps(specDir, 'client-server');
      let driven = 0;
      for (const op of ops) {
        const ways = chainsFor(op.path);
        expect(ways.length, `${op.method} ${op.path} has a chain`).toBeGreaterThan(0);
        for (const way of ways) {
          // Deprecated legacy media is reached through the fallback, on a server without authenticated media.
          const legacy = way.tree === 'media' && op.deprecated;
          const { fetch, requests } = recordingFetch(legacy ? { versions: ['v1.10'] } : {});
          const client = createClientWithTable({ baseUrl: BASE, accessToken: 'tok', fetch, retry: 0 }, table);
          await drive(client[way.tree], way.segments, op);
          const sent = requests.filter((r) => !r.url.endsWith('/_matrix/client/versions') || op.path === '/_matrix/client/versions');
          expect(sent.map((r) => `${r.method} ${r.url.split('?')[0]}`), `${way.tree}: ${op.method} ${op.path}`)
            .toEqual([`${op.method} ${BASE}${expectedPath(op)}`]);
        }
        driven++;
      }
      expect(driven).toBe(ops.length);
      if (version === 'v1.19') expect(driven).toBe(164);
    });
  });
}
