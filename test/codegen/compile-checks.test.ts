/**
 * The schema compiler of the validation table: what each keyword becomes,
 * sharing, references and cycles, and the schemas it refuses.
 */
import { describe, expect, it } from 'vitest';
import { CheckTable } from '../../codegen/compile-checks.js';
import type { Json } from '../../codegen/load.js';

function compile(schema: Json, components: Record<string, Json> = {}): { table: CheckTable; index: number } {
  const table = new CheckTable();
  return { table, index: table.compile(schema, components, 'test') };
}

describe('the check compiler', () => {
  it('keeps types, enums, checked formats, patterns, required keys and properties, and drops descriptions', () => {
    const { table, index } = compile({
      type: 'object',
      description: 'prose',
      required: ['a', 'a', 'b'],
      properties: {
        a: { type: ['string', 'null'], format: 'mx-user-id', pattern: '^@' },
        b: { type: 'integer', enum: [1, 2] },
        c: { description: 'no check at all' },
        d: { type: 'string', format: 'date-time' },
      },
    });
    const node = table.nodes[index]!;
    expect(node.t).toBe('o');
    expect(node.r).toEqual(['a', 'b']);
    expect(Object.keys(node.p!)).toEqual(['a', 'b', 'd']);
    expect(table.nodes[node.p!.a!]).toEqual({ t: 'sz', f: 'mx-user-id', x: '^@' });
    expect(table.nodes[node.p!.b!]).toEqual({ t: 'i', e: [1, 2] });
    expect(table.nodes[node.p!.d!]).toEqual({ t: 's' });
  });

  it('shares equal nodes, and collapses an allOf of one schema into that schema', () => {
    const { table, index } = compile({ type: 'object', properties: { x: { type: 'string' }, y: { type: 'string' }, z: { allOf: [{ type: 'string' }] } } });
    const p = table.nodes[index]!.p!;
    expect(new Set([p.x, p.y, p.z]).size).toBe(1);
  });

  it('compiles maps, items, allOf and oneOf', () => {
    const { table, index } = compile({
      type: 'object',
      patternProperties: { '^@': { type: 'array', items: { type: 'string' } } },
      additionalProperties: { type: 'boolean' },
      allOf: [{ required: ['k'] }],
      oneOf: [{ required: ['u'] }, { required: ['v'] }],
    });
    const node = table.nodes[index]!;
    expect(node.pp).toHaveLength(1);
    expect(table.nodes[table.nodes[node.pp![0]![1]]!.i!]).toEqual({ t: 's' });
    expect(table.nodes[node.ap!]).toEqual({ t: 'b' });
    expect(node.all!.map((i) => table.nodes[i])).toEqual([{ r: ['k'] }]);
    expect(node.any!.map((i) => table.nodes[i])).toEqual([{ r: ['u'] }, { r: ['v'] }]);
  });

  it('drops a choice that one member leaves open', () => {
    const { table, index } = compile({ type: 'object', anyOf: [{ required: ['u'] }, {}] });
    expect(table.nodes[index]).toEqual({ t: 'o' });
  });

  it('resolves references by index, once, and compiles a schema that refers to itself', () => {
    const components: Record<string, Json> = {
      event: { type: 'object', required: ['type'], properties: { unsigned: { $ref: '#/components/schemas/unsigned' } } },
      unsigned: { type: 'object', properties: { redacted_because: { $ref: '#/components/schemas/event' } } },
    };
    const { table, index } = compile({ allOf: [{ $ref: '#/components/schemas/event' }], properties: { again: { $ref: '#/components/schemas/event' } } }, components);
    const root = table.nodes[index]!;
    const event = root.all![0]!;
    expect(root.p!.again).toBe(event);
    const unsigned = table.nodes[table.nodes[event]!.p!.unsigned!]!;
    // The loop closes: redacted_because is checked as an event again.
    expect(table.nodes[unsigned.p!.redacted_because!]).toEqual(table.nodes[event]);
  });

  it('refuses a property named __proto__, a pattern that is not a regular expression, and an unresolved reference', () => {
    expect(() => compile(JSON.parse('{"properties":{"__proto__":{"type":"string"}}}') as Json)).toThrow(/__proto__/);
    expect(() => compile({ type: 'string', pattern: '(' })).toThrow(/not a valid regular expression/);
    expect(() => compile({ $ref: '#/components/schemas/missing' })).toThrow(/unresolved reference/);
  });
});
