// The built package resolves through its own exports map (self-reference), and both
// entries answer: run after `npm run build`.
const main = await import('matrix-fluent');
const node = await import('matrix-fluent/node');
const problems = [];
if (typeof main.createClient !== 'function') problems.push('matrix-fluent: no createClient');
if ('FileStore' in main) problems.push('matrix-fluent: FileStore leaked into the portable entry');
if (typeof node.FileStore !== 'function') problems.push('matrix-fluent/node: no FileStore');
const client = main.createClient({ baseUrl: 'http://127.0.0.1:9', accessToken: 't' });
if (String(client.api.rooms('!r:x').ban) !== 'api.rooms("!r:x").ban') problems.push('the chain proxy does not resolve');
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`package ok: ${Object.keys(main).length} exports, spec ${main.SPEC_VERSION}`);
