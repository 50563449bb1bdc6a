/**
 * The recursive chain proxy: a property walks to a literal child, a call binds
 * path parameters, a verb resolves a route of the generated tree and hands it
 * to the dispatcher. Nothing here is per endpoint; every step is one lookup.
 */
import type { ChainNode } from '../../generated/tree.js';
import { InvalidEndpointError } from '../errors/invalid-endpoint-error.js';
import { closest } from './suggest.js';

/** Resolves and performs one call: the route, the bound path values, the verb's arguments. */
export type Dispatch = (route: string, values: readonly string[], args: readonly unknown[]) => Promise<unknown>;

const VERBS = { get: 'GET', post: 'POST', put: 'PUT', delete: 'DELETE' } as const;
type VerbName = keyof typeof VERBS;

/**
 * Keys that tools probe on any object (promises, test matchers, inspectors,
 * serialisers). They answer undefined so that `await client.api` resolves and
 * printing a chain does not throw.
 */
const PROBED = new Set(['then', 'catch', 'finally', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', 'constructor', 'prototype', 'inspect']);

function isVerb(name: string): name is VerbName {
  return Object.hasOwn(VERBS, name);
}

function describeValue(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}

function validHere(node: ChainNode): string[] {
  const out = Object.keys(node.v ?? {}).map((v) => `${v.toLowerCase()}()`);
  for (const segment of Object.keys(node.l ?? {})) if (segment !== '') out.push(/^[A-Za-z_$][\w$]*$/.test(segment) ? `.${segment}` : `['${segment}']`);
  if (node.p) out.push(`(${node.p.n ?? 'param'})`);
  return out;
}

function invalid(chain: string, problem: string, node: ChainNode, attempted?: string): InvalidEndpointError {
  const valid = validHere(node);
  const names = valid.map((v) => v.replace(/^\.|\(\)$|^\['|'\]$/g, ''));
  const suggestion = attempted !== undefined ? closest(attempted, names) : undefined;
  const hint = suggestion !== undefined ? ` Did you mean '${suggestion}'?` : '';
  const options = valid.length > 0 ? ` Valid at this point: ${valid.join(', ')}.` : '';
  return new InvalidEndpointError(`${problem} at ${chain}.${hint}${options}`, chain, valid, suggestion);
}

/** An mxc URI as the spec defines it: a server name, then an opaque id of `[A-Za-z0-9_-]`. */
const MXC = /^mxc:\/\/([A-Za-z0-9.:[\]-]+)\/([A-Za-z0-9_-]+)$/;

/** `download('mxc://server/id')` binds `{serverName}` and `{mediaId}` from the URI. */
function expandMxc(node: ChainNode, args: unknown[]): unknown[] {
  const first = args[0];
  if (typeof first !== 'string' || node.p?.n !== 'serverName' || node.p.p?.n !== 'mediaId') return args;
  const match = MXC.exec(first);
  return match ? [match[1], match[2], ...args.slice(1)] : args;
}

/** Walks `count` parameter edges from `node`, or undefined when there are not that many. */
function walkParams(node: ChainNode, count: number): ChainNode | undefined {
  let current: ChainNode | undefined = node;
  for (let i = 0; i < count && current; i++) current = current.p;
  return current;
}

function makeVerb(node: ChainNode, verb: VerbName, values: readonly string[], chain: string, dispatch: Dispatch) {
  const route = node.v?.[VERBS[verb]];
  if (route === undefined) throw invalid(chain, `No ${VERBS[verb]} operation`, node, verb);
  return (...args: unknown[]): Promise<unknown> => dispatch(route, values, args);
}

/** Creates the proxy of one chain node. */
export function chainNode(node: ChainNode, values: readonly string[], chain: string, dispatch: Dispatch): unknown {
  const target = function chainTarget(): void {};
  return new Proxy(target, {
    get(_target, property) {
      if (typeof property === 'symbol' || PROBED.has(property)) return undefined;
      if (property === 'toString' || property === 'valueOf') return () => chain;
      const literal = node.l !== undefined && Object.hasOwn(node.l, property) ? node.l[property] : undefined;
      const step = /^[A-Za-z_$][\w$]*$/.test(property) ? `.${property}` : `['${property}']`;
      if (isVerb(property) && literal === undefined) return makeVerb(node, property, values, `${chain}${step}`, dispatch);
      if (literal !== undefined) return chainNode(literal, values, `${chain}${step}`, dispatch);
      if (node.p?.l !== undefined && Object.hasOwn(node.p.l, property)) {
        const param = node.p.n ?? 'param';
        throw invalid(`${chain}${step}`, `Missing path parameter {${param}} before '${property}': write ${chain}(${param})${step}`, node);
      }
      throw invalid(`${chain}${step}`, `Unknown segment '${property}'`, node, property);
    },
    apply(_target, _this, rawArgs: unknown[]) {
      const args = expandMxc(node, rawArgs);
      const shown = `${chain}(${args.map((a) => (typeof a === 'string' ? describeValue(a) : String(a))).join(', ')})`;
      if (args.length === 0) throw invalid(shown, 'A call needs at least one path parameter', node);
      const next = walkParams(node, args.length);
      if (next === undefined) {
        throw invalid(shown, node.p ? `Too many path parameters (${args.length})` : 'No path parameter is taken', node);
      }
      const bound = args.map((value, i) => {
        if (typeof value === 'string') return value;
        if (typeof value === 'number' && Number.isFinite(value)) return String(value);
        throw invalid(shown, `Path parameter ${i + 1} must be a string, got ${value === null ? 'null' : typeof value}`, node);
      });
      return chainNode(next, [...values, ...bound], shown, dispatch);
    },
    set() {
      return false;
    },
    has(_target, property) {
      return typeof property === 'string' && (Object.hasOwn(node.l ?? {}, property) || (isVerb(property) && node.v?.[VERBS[property]] !== undefined));
    },
  });
}
