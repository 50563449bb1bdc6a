// The built package resolves through its own exports map (self-reference), and both
// entries answer: run after `npm run build`.
const main = await import('matrix-fluent');
const node = await import('matrix-fluent/node');
const validation = await import('matrix-fluent/validation');
const problems = [];
if (typeof main.createClient !== 'function') problems.push('matrix-fluent: no createClient');
if ('FileStore' in main) problems.push('matrix-fluent: FileStore leaked into the portable entry');
if (typeof node.FileStore !== 'function') problems.push('matrix-fluent/node: no FileStore');
if (validation.validateEventContent('m.room.message', { msgtype: 'm.text' }).valid !== false) problems.push('matrix-fluent/validation: an m.text without body passes');
if ('eventValidation' in main) problems.push('matrix-fluent: the event validation leaked into the main entry');
const client = main.createClient({ baseUrl: 'http://127.0.0.1:9', accessToken: 't' });
if (String(client.api.rooms('!r:x').ban) !== 'api.rooms("!r:x").ban') problems.push('the chain proxy does not resolve');
// On Node the main entry resolves through the `node` condition: undici is the default engine.
if (client.transport.engine !== 'undici') problems.push(`matrix-fluent on Node: engine ${client.transport.engine}, not undici`);
if (node.createClient({ baseUrl: 'http://127.0.0.1:9' }).transport.engine !== 'undici') problems.push('matrix-fluent/node: not on undici');
if (main.createClient({ baseUrl: 'http://127.0.0.1:9', fetch: globalThis.fetch }).transport.engine !== 'fetch') problems.push('a given fetch does not select the fetch engine');
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`package ok: ${Object.keys(main).length} exports, spec ${main.SPEC_VERSION}`);
