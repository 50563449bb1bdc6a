/** The one scrubbing rule, and the reader of cut error bodies, as pure functions. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../spec/resolve.js';
import { readPrefixFields } from '../../src/transport/json-prefix.js';
import { clampServerDelay, MAX_SERVER_DELAY_MS, parseRetryAfter, serverRetryAfter } from '../../src/transport/retry.js';
import { createScrubber, describeError, isSecretName, redactRequest, scrubbedCause, scrubValue } from '../../src/transport/scrub.js';
import { req } from './fixtures.js';

const TOKEN = 'syt_c2NydWI_AbCdEfGhIjKlMn_0a1b2c';
const scrub = createScrubber([TOKEN, undefined]);
const escaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

describe('the scrubbing rule', () => {
  it.each([
    ['raw', `a ${TOKEN} b`, 'a <redacted> b'],
    ['JSON-escaped as \\u escapes (decoded first)', `{"error":"${escaped(TOKEN)}"}`, '{"error":"<redacted>"}'],
    ['percent-encoded, every character', `x=${[...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`, 'x=<redacted>'],
    ['percent-encoded by encodeURIComponent', `/p/${encodeURIComponent(`${TOKEN}/`)}`, '/p/<redacted>%2F'],
    ['in a Bearer credential', 'Authorization: Bearer other_token_123', 'Authorization: Bearer <redacted>'],
  ])('scrubs a token %s', (_name, input, want) => {
    expect(scrub(input)).toBe(want);
  });

  it.each([
    ['access_token and refresh_token of a login answer', '{"user_id":"@a:x","access_token":"syt_new","refresh_token":"syr_new","expires_in_ms":60000}', '{"user_id":"@a:x","access_token":"<redacted>","refresh_token":"<redacted>","expires_in_ms":60000}'],
    ['a password nested under auth', '{"auth":{"type":"m.login.password","password":"hunter2"},"new_password":"x"}', '{"auth":{"type":"m.login.password","password":"<redacted>"},"new_password":"<redacted>"}'],
    ['as_token and hs_token of a registration', 'as_token: "a1", {"hs_token": "h1"}', 'as_token: "<redacted>", {"hs_token": "<redacted>"}'],
    ['a field whose value the cut left open', '{"refresh_token":"syr_cut_here', '{"refresh_token":"<redacted>'],
    ['query parameters', '/x?access_token=abc&dir=b&password=p', '/x?access_token=<redacted>&dir=b&password=<redacted>'],
    ['escaped field names', `{"${escaped('access_token')}":"zz"}`, '{"access_token":"<redacted>"}'],
    ['a body quoted inside an error text', '{"error":"bad body {\\"password\\": \\"hunter2\\", \\"user\\": \\"a\\"}"}', '{"error":"bad body {\\"password\\": \\"<redacted>\\", \\"user\\": \\"a\\"}"}'],
  ])('scrubs secret-shaped fields by name: %s', (_name, input, want) => {
    expect(scrub(input)).toBe(want);
  });

  it('keeps fields that only look alike (session, next_batch, the login type)', () => {
    const text = '{"session":"s","next_batch":"n","type":"m.login.token"}';
    expect(scrub(text)).toBe(text);
    expect(['access_token', 'token', 'client_secret', 'new_password', 'hs_token'].every(isSecretName)).toBe(true);
    expect(['session', 'next_batch', 'token_type', 'flows'].some(isSecretName)).toBe(false);
  });

  /** Names whose values are credentials: the spec's, an application service registration's, and our own option names. */
  const SECRET_NAMES = [
    'access_token', 'refresh_token', 'as_token', 'hs_token', 'token', 'login_token', 'registration_token',
    'id_access_token', 'password', 'new_password', 'client_secret', 'secret', 'accessToken', 'asToken', 'hsToken', 'Access_Token',
  ];
  /** Pagination positions: opaque to the client, but no credential, and what one reads when a paginated call fails. */
  const PAGINATION_NAMES = ['next_token', 'prev_token', 'from_token', 'to_token', 'since_token', 'nextToken', 'next_batch', 'prev_batch', 'from', 'to', 'since', 'start', 'end'];
  /** Every way a name and its value are written in text the rule sees. */
  const ENCODINGS: [string, (name: string, value: string) => string][] = [
    ['JSON', (n, v) => `{"user_id":"@a:x","${n}":"${v}","x":1}`],
    ['JSON with spaces', (n, v) => `{ "${n}" : "${v}" }`],
    ['JSON cut inside the value', (n, v) => `{"${n}":"${v}`],
    ['JSON with a \\u-escaped name', (n, v) => `{"${escaped(n)}":"${v}"}`],
    ['JSON quoted inside an error text', (n, v) => `{"error":"bad {\\"${n}\\": \\"${v}\\"}"}`],
    ['a query string', (n, v) => `/_matrix/x?dir=b&${n}=${v}&limit=1`],
    ['a form text after a space', (n, v) => `sent ${n}=${v} then`],
    ['YAML, plain', (n, v) => `id: bridge\n${n}: ${v}\nurl: http://127.0.0.1:9000`],
    ['YAML, double-quoted', (n, v) => `${n}: "${v}"\nsender_localpart: bot`],
    ['YAML, single-quoted', (n, v) => `  ${n}: '${v}'\n`],
    ['YAML, indented with CRLF', (n, v) => `    ${n}:   ${v}\r\nrate_limited: false`],
    ['a YAML flow mapping', (n, v) => `{id: bridge, ${n}: ${v}, url: null}`],
    ['YAML with a quoted name', (n, v) => `'${n}': ${v}\n`],
  ];
  const VALUE = 'Zq8v_SeCrEt_value_7d1e';

  it.each(SECRET_NAMES)('scrubs the value of %s in JSON, quoted JSON, query, form and YAML text', (name) => {
    expect(isSecretName(name)).toBe(true);
    for (const [encoding, write] of ENCODINGS) {
      const out = scrub(write(name, VALUE));
      expect(out, `${encoding}: ${out}`).not.toContain(VALUE.slice(0, 8));
      expect(out, encoding).toContain('<redacted>');
    }
    expect(scrubValue({ [name]: VALUE }, scrub)).toEqual({ [name]: '<redacted>' });
  });

  it.each(PAGINATION_NAMES)('keeps the pagination token %s readable in every encoding', (name) => {
    expect(isSecretName(name)).toBe(false);
    const position = 's72594_4483_1934_12_t3';
    for (const [encoding, write] of ENCODINGS) {
      // (\\u escapes are decoded, so the text may change in that way only.)
      const out = scrub(write(name, position));
      expect(out, encoding).toContain(position);
      expect(out, encoding).not.toContain('<redacted>');
    }
    const value = { [name]: position, chunk: [] };
    expect(scrubValue(value, scrub)).toBe(value);
  });

  it('scrubs an application service registration pasted into a message, keeping what is no secret', () => {
    const registration = [
      'id: "bridge"',
      'url: "http://127.0.0.1:9000"',
      'as_token: 30c05ae90a248a4188e620216fa72e349803310ec83e2a77b34fe90be6081f46',
      'hs_token: "312df522183efd404ec1cd22d2ffa4bbc76a8c1ccf541dd692eef281356bb74e"',
      "sender_localpart: 'bot'",
      'namespaces: { users: [{ exclusive: true, regex: "@bridge_.*" }] }',
    ].join('\n');
    const out = scrub(`registration refused: ${registration}`);
    expect(out).not.toMatch(/30c05ae9|312df522/);
    expect(out).toContain('as_token: <redacted>');
    expect(out).toContain('hs_token: "<redacted>"');
    expect(out).toContain('url: "http://127.0.0.1:9000"');
    expect(out).toContain("sender_localpart: 'bot'");
    expect(out).toContain('regex: "@bridge_.*"');
  });

  it('truncates after scrubbing, so a token at the boundary leaves nothing behind', () => {
    const text = `${'x'.repeat(20)}${TOKEN}`;
    expect(scrub(text, { maxChars: 30 })).toBe('x'.repeat(20) + '<redacted>');
    expect(scrub(text, { maxChars: 25 })).toBe('x'.repeat(20));
  });

  it('removes the start of a token from a text that was cut inside it', () => {
    expect(scrub(`body ${TOKEN.slice(0, 12)}`, { cut: true })).toBe('body <redacted>');
    expect(scrub(`body ${TOKEN.slice(0, 12)}`)).toBe(`body ${TOKEN.slice(0, 12)}`);
  });

  it('never cuts a surrogate pair in two', () => {
    expect(scrub('ab\u{1F600}', { maxChars: 3 })).toBe('ab');
  });

  it('copies JSON values with secret fields and tokens replaced, and keeps __proto__ as data', () => {
    const value = JSON.parse(`{"session":"s","auth":{"password":"p"},"list":["${TOKEN}"],"__proto__":{"token":"t"}}`) as object;
    const out = scrubValue(value, scrub) as Record<string, unknown>;
    expect(out).toEqual(JSON.parse('{"session":"s","auth":{"password":"<redacted>"},"list":["<redacted>"],"__proto__":{"token":"<redacted>"}}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    const clean = { a: 1, b: ['x'] };
    expect(scrubValue(clean, scrub)).toBe(clean);
  });

  it('replaces an error cause by a scrubbed description with its name and code', () => {
    const original = Object.assign(new SyntaxError(`Unexpected token in JSON at ${TOKEN}`), { code: 'E_PARSE' });
    const cause = scrubbedCause(original, scrub);
    expect(cause).not.toBe(original);
    expect(cause.name).toBe('SyntaxError');
    expect((cause as { code?: string }).code).toBe('E_PARSE');
    expect(cause.message).toBe('Unexpected token in JSON at <redacted> [E_PARSE]');
    expect(cause.stack).not.toContain(TOKEN);
    expect(describeError(new TypeError('fetch failed', { cause: new Error(`reset by ${TOKEN}`) }), scrub)).toBe('fetch failed: reset by <redacted>');
  });

  it('shows hooks a copy of the request with credentials redacted, the request itself when it has none', () => {
    const plain = req('GET', '/x', { query: { dir: 'b' } });
    expect(redactRequest(plain, scrub)).toBe(plain);
    const secret = req('POST', `/rooms/${TOKEN}`, { body: { password: 'p', note: TOKEN }, options: { headers: { Authorization: 'Bearer x', 'x-a': TOKEN } } });
    const shown = redactRequest(secret, scrub);
    expect(shown.path).toBe('/rooms/<redacted>');
    expect(shown.route).toBe('POST /rooms/<redacted>');
    expect(shown.body).toEqual({ password: '<redacted>', note: '<redacted>' });
    expect(shown.options?.headers).toEqual({ Authorization: '<redacted>', 'x-a': '<redacted>' });
  });
});

describe('one scrubbing module', () => {
  it('the redaction mark and the scrubbing patterns live in src/transport/scrub.ts only', async () => {
    const offenders: string[] = [];
    for (const entry of await readdir(join(PROJECT_ROOT, 'src'), { recursive: true })) {
      if (!entry.endsWith('.ts') || entry === join('transport', 'scrub.ts')) continue;
      const code = (await readFile(join(PROJECT_ROOT, 'src', entry), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      if (code.includes("'<redacted>'") || /token\|password/.test(code) || /\.split\(\w+\)\.join\(/.test(code)) offenders.push(entry);
    }
    expect(offenders).toEqual([]);
  });
});

describe('reading the prefix of a cut error body', () => {
  const names = new Set(['errcode', 'error', 'session', 'flows']);
  it.each([
    ['complete members before the cut', '{"errcode":"M_FORBIDDEN","error":"no","pad":"xxx', { errcode: 'M_FORBIDDEN', error: 'no' }],
    ['nested values and escapes', '{"flows":[{"stages":["a","b}"]}],"session":"s\\"1","x":{"y', { flows: [{ stages: ['a', 'b}'] }], session: 's"1' }],
    ['a member cut inside', '{"session":"abc', {}],
    ['a number cut at the end', '{"errcode":"M_X","n":12', { errcode: 'M_X' }],
    ['whitespace', ' {\n "errcode" : "M_Y" ,\n "error":"e" ', { errcode: 'M_Y', error: 'e' }],
    ['a __proto__ member, kept as data', '{"__proto__":{"polluted":1},"errcode":"M_Z"', { errcode: 'M_Z' }],
  ])('%s', (_name, text, want) => {
    expect(readPrefixFields(text, names)).toEqual(want);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('answers undefined for text that does not start an object', () => {
    expect(readPrefixFields('<html>', names)).toBeUndefined();
    expect(readPrefixFields('[1,2', names)).toBeUndefined();
  });
});

describe('server-given delays', () => {
  it('are clamped to a finite bound', () => {
    expect(parseRetryAfter('9'.repeat(400))).toBe(MAX_SERVER_DELAY_MS);
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(clampServerDelay(Infinity)).toBe(MAX_SERVER_DELAY_MS);
    expect(clampServerDelay(-5)).toBe(0);
    expect(serverRetryAfter(new Headers(), { retry_after_ms: Infinity })).toBe(MAX_SERVER_DELAY_MS);
    expect(serverRetryAfter(new Headers(), { retry_after_ms: -1 })).toBeUndefined();
    expect(serverRetryAfter(new Headers({ 'retry-after': '3' }), { retry_after_ms: 10 })).toBe(3000);
  });
});
