/**
 * What the opt-in event validation costs: events validated per second for a
 * typical `m.room.message` (content alone, and the whole sync event), against
 * a no-op baseline that walks the same events in the same run; and the sizes
 * of the generated table and of a bundle of the `matrix-fluent/validation` entry.
 * Run: `npm run bench:validation` (or `npx tsx bench/validation.ts [events]`). Prints figures only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../spec/resolve.js';
import { validateEvent, validateEventContent } from '../src/validation/index.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;

/** A reply in a thread with mentions: a typical message of today's clients. */
function event(n: number): Record<string, unknown> {
  return {
    type: 'm.room.message',
    event_id: `$event${n}:example.org`,
    sender: '@alice:example.org',
    origin_server_ts: 1_700_000_000_000 + n,
    unsigned: { age: 12 },
    content: {
      msgtype: 'm.text',
      body: `message number ${n}`,
      format: 'org.matrix.custom.html',
      formatted_body: `<b>message</b> number ${n}`,
      'm.mentions': { user_ids: ['@bob:example.org'] },
      'm.relates_to': { rel_type: 'm.thread', event_id: '$root:example.org', is_falling_back: true, 'm.in_reply_to': { event_id: '$prev:example.org' } },
    },
  };
}

const events = Array.from({ length: 1_000 }, (_, n) => event(n));
const texts = events.map((e) => JSON.stringify(e));
let sink = 0;

/** Events per second of `run` over EVENTS events, best of ROUNDS. */
function measure(run: (e: Record<string, unknown>) => number): number {
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let i = 0; i < EVENTS; i++) sink += run(events[i % events.length]!);
    best = Math.min(best, performance.now() - started);
  }
  return EVENTS / (best / 1_000);
}

// The baseline reads what any consumer reads of an event: its type and its content's keys.
const baseline = measure((e) => (typeof e.type === 'string' ? Object.keys(e.content as object).length : 0));
// What receiving the event costs anyway: parsing its JSON text.
let at = 0;
const parse = measure(() => (JSON.parse(texts[at++ % texts.length]!) as { type: string }).type.length);
const content = measure((e) => (validateEventContent(e.type as string, e.content).valid ? 1 : 0));
const whole = measure((e) => (validateEvent(e, { shape: 'sync' }).valid ? 1 : 0));
if (!validateEvent(events[0], { shape: 'sync' }).valid) throw new Error('the benchmark event must be valid');

const table = readFileSync(join(PROJECT_ROOT, 'generated', 'validators.ts'));
const bundled = await build({
  entryPoints: [join(PROJECT_ROOT, 'src', 'validation', 'index.ts')],
  bundle: true, write: false, minify: true, platform: 'browser', format: 'esm', logLevel: 'silent',
});
const entry = bundled.outputFiles[0]!.contents;

const rate = (n: number): string => `${Math.round(n).toLocaleString('en')} events/s`;
console.log(`event validation, ${EVENTS.toLocaleString('en')} m.room.message events per round, best of ${ROUNDS} (sink ${sink % 10})`);
console.log(`  no-op baseline (type + content keys): ${rate(baseline)}`);
console.log(`  JSON.parse of the event's text:       ${rate(parse)}  (${(1e6 / parse).toFixed(2)} µs/event)`);
console.log(`  validateEventContent:                 ${rate(content)}  (${(1e6 / content).toFixed(2)} µs/event: ${(baseline / content).toFixed(0)}x the no-op, ${(parse / content).toFixed(2)}x JSON.parse)`);
console.log(`  validateEvent (sync shape):           ${rate(whole)}  (${(1e6 / whole).toFixed(2)} µs/event: ${(baseline / whole).toFixed(0)}x the no-op, ${(parse / whole).toFixed(2)}x JSON.parse)`);
console.log(`generated/validators.ts: ${table.length.toLocaleString('en')} bytes raw, ${gzipSync(table).length.toLocaleString('en')} bytes gzip`);
console.log(`matrix-fluent/validation bundle (esbuild, minified, browser): ${entry.length.toLocaleString('en')} bytes, ${gzipSync(entry).length.toLocaleString('en')} bytes gzip`);
