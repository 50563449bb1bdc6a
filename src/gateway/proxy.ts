/**
 * The recursive chain proxy: a property walks to a literal child, a call binds
 * path parameters, a verb resolves a route of the generated tree and hands it
 * to the dispatcher. Nothing here is per endpoint; every step is one lookup.
 *
 * A chain with no bound value (`client.api.account.whoami`) is built once per
 * client and reused, verbs included; a bound chain (`rooms(id).send`) makes one
 * small proxy per step. The text of a chain (`api.rooms("!r:x").ban`) is only
 * put together when an error or `toString` needs it.
 */
import type { ChainNode } from '../../generated/tree.js';
import { InvalidEndpointError } from '../errors/invalid-endpoint-error.js';
import { closest } from './suggest.js';

/** Performs one call of a route: the bound path values, the verb's arguments. */
export type RouteCall = (values: readonly string[], args: readonly unknown[]) => Promise<unknown>;

/**
 * Resolves a route key once into the function that performs its calls. `scrub`,
 * when given, is applied to the text of chain errors (which quote path values).
 */
export interface Dispatch {
  (route: string): RouteCall;
  readonly scrub?: ((text: string) => string) | undefined;
}

const AS_IS = (text: string): string => text;

const VERBS = { get: 'GET', post: 'POST', put: 'PUT', delete: 'DELETE' } as const;
type VerbName = keyof typeof VERBS;
type VerbFunction = (...args: unknown[]) => Promise<unknown>;

const NO_VALUES: readonly string[] = Object.freeze([]);
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Keys that tools probe on any object (promises, test matchers, inspectors,
 * serialisers). They answer undefined so that `await client.api` resolves and
 * printing a chain does not throw.
 */
const PROBED = new Set(['then', 'catch', 'finally', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', 'constructor', 'prototype', 'inspect']);

function isVerb(name: string): name is VerbName {
  return Object.hasOwn(VERBS, name);
}

/** A path value as chain text: scrubbed, then shortened. */
function describeValue(raw: string, scrub: (text: string) => string): string {
  const value = scrub(raw);
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}

function propertyStep(property: string): string {
  return IDENTIFIER.test(property) ? `.${property}` : `['${property}']`;
}

function callStep(args: readonly unknown[], scrub: (text: string) => string): string {
  return `(${args.map((a) => (typeof a === 'string' ? describeValue(a, scrub) : scrub(String(a)))).join(', ')})`;
}

function validHere(node: ChainNode): string[] {
  const out = Object.keys(node.v ?? {}).map((v) => `${v.toLowerCase()}()`);
  for (const segment of Object.keys(node.l ?? {})) if (segment !== '') out.push(IDENTIFIER.test(segment) ? `.${segment}` : `['${segment}']`);
  if (node.p) out.push(`(${node.p.n ?? 'param'})`);
  return out;
}

function invalid(scrub: (text: string) => string, chain: string, problem: string, node: ChainNode, attempted?: string): InvalidEndpointError {
  const valid = validHere(node);
  const names = valid.map((v) => v.replace(/^\.|\(\)$|^\['|'\]$/g, ''));
  const suggestion = attempted !== undefined ? closest(attempted, names) : undefined;
  const hint = suggestion !== undefined ? ` Did you mean '${suggestion}'?` : '';
  const options = valid.length > 0 ? ` Valid at this point: ${valid.join(', ')}.` : '';
  return new InvalidEndpointError(scrub(`${problem} at ${chain}.${hint}${options}`), scrub(chain), valid, suggestion);
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

/** What every chain of one root shares: the dispatcher, and the chains built once. */
interface ChainRoot {
  readonly dispatch: Dispatch;
  /** The proxy of each node reached without binding a value, made on first use. */
  readonly unbound: Map<ChainNode, unknown>;
}

/**
 * The proxy handler of one chain position. The handler is the `this` of its
 * traps, so one class serves every position and the proxy target stays an
 * empty function (callable, so that `rooms(roomId)` reaches `apply`).
 */
class ChainStep implements ProxyHandler<() => void> {
  /** Verb functions of an unbound position, made once. */
  private verbs: { [V in VerbName]?: VerbFunction } | undefined;

  constructor(
    private readonly root: ChainRoot,
    private readonly node: ChainNode,
    private readonly values: readonly string[],
    private readonly parent: ChainStep | undefined,
    /** The property that led here, the arguments of the call that did, or the root's name. */
    private readonly via: string | readonly unknown[],
  ) {}

  /** The scrubbing rule for error texts, which quote path values. */
  private get scrub(): (text: string) => string {
    return this.root.dispatch.scrub ?? AS_IS;
  }

  /** The chain as written: `api.rooms("!r:x").ban`. */
  chain(): string {
    if (this.parent === undefined) return this.via as string;
    const step = typeof this.via === 'string' ? propertyStep(this.via) : callStep(this.via, this.scrub);
    return this.parent.chain() + step;
  }

  get(_target: () => void, property: string | symbol): unknown {
    if (typeof property === 'symbol' || PROBED.has(property)) return undefined;
    if (property === 'toString' || property === 'valueOf') return () => this.chain();
    const node = this.node;
    const literal = node.l !== undefined && Object.hasOwn(node.l, property) ? node.l[property] : undefined;
    if (literal !== undefined) return this.child(literal, property);
    if (isVerb(property)) return this.verb(property);
    if (node.p?.l !== undefined && Object.hasOwn(node.p.l, property)) {
      const param = node.p.n ?? 'param';
      const chain = this.chain();
      throw invalid(this.scrub, `${chain}${propertyStep(property)}`, `Missing path parameter {${param}} before '${property}': write ${chain}(${param})${propertyStep(property)}`, node);
    }
    throw invalid(this.scrub, `${this.chain()}${propertyStep(property)}`, `Unknown segment '${property}'`, node, property);
  }

  apply(_target: () => void, _this: unknown, rawArgs: unknown[]): unknown {
    const node = this.node;
    const args = expandMxc(node, rawArgs);
    if (args.length === 0) throw invalid(this.scrub, this.chain() + callStep(args, this.scrub), 'A call needs at least one path parameter', node);
    const next = walkParams(node, args.length);
    if (next === undefined) {
      throw invalid(this.scrub, this.chain() + callStep(args, this.scrub), node.p ? `Too many path parameters (${args.length})` : 'No path parameter is taken', node);
    }
    const values = this.values.slice();
    for (let i = 0; i < args.length; i++) {
      const value = args[i];
      if (typeof value === 'string') values.push(value);
      else if (typeof value === 'number' && Number.isFinite(value)) values.push(String(value));
      else throw invalid(this.scrub, this.chain() + callStep(args, this.scrub), `Path parameter ${i + 1} must be a string, got ${value === null ? 'null' : typeof value}`, node);
    }
    return proxyOf(new ChainStep(this.root, next, values, this, args));
  }

  set(): boolean {
    return false;
  }

  has(_target: () => void, property: string | symbol): boolean {
    return typeof property === 'string' && (Object.hasOwn(this.node.l ?? {}, property) || (isVerb(property) && this.node.v?.[VERBS[property]] !== undefined));
  }

  private child(node: ChainNode, property: string): unknown {
    if (this.values.length > 0) return proxyOf(new ChainStep(this.root, node, this.values, this, property));
    let proxy = this.root.unbound.get(node);
    if (proxy === undefined) {
      proxy = proxyOf(new ChainStep(this.root, node, NO_VALUES, this, property));
      this.root.unbound.set(node, proxy);
    }
    return proxy;
  }

  private verb(name: VerbName): VerbFunction {
    const cached = this.verbs?.[name];
    if (cached !== undefined) return cached;
    const route = this.node.v?.[VERBS[name]];
    if (route === undefined) throw invalid(this.scrub, `${this.chain()}.${name}`, `No ${VERBS[name]} operation`, this.node, name);
    const call = this.root.dispatch(route);
    const values = this.values;
    if (values.length > 0) return (...args: unknown[]) => call(values, args);
    return ((this.verbs ??= {})[name] = (...args: unknown[]) => call(NO_VALUES, args));
  }
}

/** A callable target (so that `rooms(roomId)` reaches `apply`); the handler holds the state. */
function proxyOf(step: ChainStep): unknown {
  return new Proxy((): void => {}, step);
}

/**
 * Creates the proxy of a chain root (`api`, `media`, `wellKnown`) over `dispatch`.
 * `values` are path values already bound (none for a root).
 */
export function chainNode(node: ChainNode, values: readonly string[], chain: string, dispatch: Dispatch): unknown {
  return proxyOf(new ChainStep({ dispatch, unbound: new Map() }, node, values.length === 0 ? NO_VALUES : values, undefined, chain));
}
