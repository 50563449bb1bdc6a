/**
 * The check runner: walks a value along the nodes of the generated table and
 * collects issues. No code is generated or evaluated (no `new Function`): the
 * table is data, the few patterns the spec gives are compiled once each.
 */
import type { CheckNode } from '../../generated/validators.js';
import { FORMATS } from './formats.js';
import { isRecord as isObject } from '../is-record.js';
import { childPath, describe, itemPath, type ValidationIssue } from './issue.js';

/** The keys and indexes from the checked value's root to where a check is: made into a path only for an issue. */
type Segments = (string | number)[];

/** The most issues one validation collects (the rest would only repeat the cause). */
export const MAX_ISSUES = 20;
/** The deepest a value is followed (the table's references may loop: unsigned → redacted_because → …). */
const MAX_DEPTH = 32;

const TYPE_WORDS: { readonly [letter: string]: string } = {
  o: 'an object', a: 'an array', s: 'a string', i: 'an integer', n: 'a number', b: 'a boolean', z: 'null',
};

const patterns = new Map<string, RegExp>();

function pattern(source: string): RegExp {
  let re = patterns.get(source);
  if (re === undefined) {
    re = new RegExp(source, 'u');
    patterns.set(source, re);
  }
  return re;
}

function hasType(letters: string, value: unknown): boolean {
  for (let i = 0; i < letters.length; i++) {
    switch (letters[i]) {
      case 'o': if (isObject(value)) return true; break;
      case 'a': if (Array.isArray(value)) return true; break;
      case 's': if (typeof value === 'string') return true; break;
      case 'i': if (typeof value === 'number' && Number.isInteger(value)) return true; break;
      case 'n': if (typeof value === 'number' && Number.isFinite(value)) return true; break;
      case 'b': if (typeof value === 'boolean') return true; break;
      case 'z': if (value === null) return true; break;
    }
  }
  return false;
}

function typeWords(letters: string): string {
  return [...letters].map((l) => TYPE_WORDS[l] ?? l).join(' or ');
}

function enumWords(values: readonly unknown[]): string {
  const shown = values.slice(0, 6).map((v) => JSON.stringify(v)).join(', ');
  return values.length > 6 ? `one of ${shown}, … (${values.length} values)` : values.length === 1 ? shown : `one of ${shown}`;
}

/** Where a check is: the root path and the segments below it. */
interface Where {
  readonly root: string;
  readonly at: Segments;
}

/** The path of `where`, as issues spell it. */
function pathOf(where: Where): string {
  let path = where.root;
  for (const segment of where.at) path = typeof segment === 'number' ? itemPath(path, segment) : childPath(path, segment);
  return path;
}

/** A checker over one table of nodes. */
export class CheckRunner {
  readonly #nodes: readonly CheckNode[];

  constructor(nodes: readonly CheckNode[]) {
    this.#nodes = nodes;
  }

  /** Checks `value` against node `index`; issues go to `out` (at most {@link MAX_ISSUES}), their paths under `path`. */
  check(index: number, value: unknown, path: string, out: ValidationIssue[]): void {
    this.#check(index, value, { root: path, at: [] }, out, 0);
  }

  #check(index: number, value: unknown, where: Where, out: ValidationIssue[], depth: number): void {
    if (out.length >= MAX_ISSUES || depth > MAX_DEPTH) return;
    const node = this.#nodes[index];
    if (node === undefined) return;
    const d = node.d;
    if (d !== undefined && isObject(value)) {
      const chosen = value[d[0]];
      if (typeof chosen === 'string' && Object.hasOwn(d[1], chosen)) {
        this.#check(d[1][chosen]!, value, where, out, depth + 1);
        return;
      }
    }
    if (node.t !== undefined && !hasType(node.t, value)) {
      out.push({ path: pathOf(where), expected: typeWords(node.t), found: describe(value) });
      return;
    }
    if (node.e !== undefined && !node.e.includes(value as string)) {
      out.push({ path: pathOf(where), expected: enumWords(node.e), found: describe(value, typeof value === 'string') });
      return;
    }
    if (typeof value === 'string') {
      if (node.f !== undefined) {
        const format = Object.hasOwn(FORMATS, node.f) ? FORMATS[node.f] : undefined;
        if (format !== undefined && !format.test(value)) {
          out.push({ path: pathOf(where), expected: format.expected, found: describe(value, true) });
          return;
        }
      }
      if (node.x !== undefined && !pattern(node.x).test(value)) {
        out.push({ path: pathOf(where), expected: `a string matching /${node.x}/`, found: describe(value, node.f !== undefined) });
        return;
      }
    }
    if (isObject(value)) this.#object(node, value, where, out, depth);
    else if (Array.isArray(value) && node.i !== undefined) {
      for (let i = 0; i < value.length && out.length < MAX_ISSUES; i++) this.#child(node.i, value[i], where, i, out, depth);
    }
    if (node.all !== undefined) for (const member of node.all) this.#check(member, value, where, out, depth + 1);
    if (node.any !== undefined && !node.any.some((member) => this.#passes(member, value, depth + 1))) {
      out.push({ path: pathOf(where), expected: `one of ${node.any.length} shapes the spec allows here`, found: describe(value) });
    }
  }

  /** Whether `value` passes node `index`. */
  #passes(index: number, value: unknown, depth: number): boolean {
    const out: ValidationIssue[] = [];
    this.#check(index, value, { root: '', at: [] }, out, depth);
    return out.length === 0;
  }

  /** Checks a key's or an item's value, one segment further. */
  #child(index: number, value: unknown, where: Where, segment: string | number, out: ValidationIssue[], depth: number): void {
    where.at.push(segment);
    this.#check(index, value, where, out, depth + 1);
    where.at.pop();
  }

  #object(node: CheckNode, value: Record<string, unknown>, where: Where, out: ValidationIssue[], depth: number): void {
    if (node.r !== undefined) {
      for (const key of node.r) {
        // `undefined` is what JSON drops: a key set to it is not sent.
        if (!Object.hasOwn(value, key) || value[key] === undefined) out.push({ path: childPath(pathOf(where), key), expected: 'present', found: 'missing' });
      }
    }
    const p = node.p;
    if (p !== undefined) {
      for (const key in p) {
        if (Object.hasOwn(value, key) && value[key] !== undefined) this.#child(p[key]!, value[key], where, key, out, depth);
      }
    }
    const pp = node.pp;
    const ap = node.ap;
    if (pp === undefined && ap === undefined) return;
    for (const key of Object.keys(value)) {
      if (out.length >= MAX_ISSUES) return;
      let matched = p !== undefined && Object.hasOwn(p, key);
      if (pp !== undefined) {
        for (const [source, index] of pp) {
          if (pattern(source).test(key)) {
            matched = true;
            this.#child(index, value[key], where, key, out, depth);
          }
        }
      }
      if (!matched && ap !== undefined) this.#child(ap, value[key], where, key, out, depth);
    }
  }
}
