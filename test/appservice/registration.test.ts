/**
 * Registrations: generating one, checking one as a homeserver loads it (every
 * problem at once, no token quoted), parsing JSON and YAML, and the YAML writer.
 */
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  generateRegistration,
  InvalidRegistrationError,
  parseRegistration,
  registrationToYaml,
  validateRegistration,
  type AppserviceRegistration,
} from '../../src/index.js';

const AS_TOKEN = 'as_SECRET_token_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const HS_TOKEN = 'hs_SECRET_token_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function valid(): Record<string, unknown> {
  return {
    id: 'irc',
    url: 'http://127.0.0.1:9000',
    as_token: AS_TOKEN,
    hs_token: HS_TOKEN,
    sender_localpart: 'ircbot',
    rate_limited: false,
    namespaces: { users: [{ regex: '^@_irc_.*:example\\.org$', exclusive: true }], aliases: [], rooms: [] },
  };
}

function problemsOf(value: unknown): string[] {
  try {
    validateRegistration(value);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRegistrationError);
    const invalid = error as InvalidRegistrationError;
    expect(invalid.message).not.toContain('SECRET');
    return [...invalid.problems];
  }
  throw new Error('expected the registration to be refused');
}

describe('generateRegistration', () => {
  it('makes distinct random base64url tokens of at least 32 bytes each time', () => {
    const a = generateRegistration({ id: 'irc', url: null, serverName: 'example.org', userPrefix: '_irc_' });
    const b = generateRegistration({ id: 'irc', url: null, serverName: 'example.org', userPrefix: '_irc_' });
    for (const token of [a.as_token, a.hs_token]) {
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(Math.floor((token.length * 6) / 8)).toBeGreaterThanOrEqual(32);
    }
    expect(new Set([a.as_token, a.hs_token, b.as_token, b.hs_token]).size).toBe(4);
  });

  it('escapes and anchors the namespace regexes, so a dot in the server name matches only a dot', () => {
    const registration = generateRegistration({
      id: 'irc',
      url: 'http://127.0.0.1:9000',
      serverName: 'chat.example.org',
      userPrefix: '_irc.x+_',
      aliasPrefix: '_irc_',
    });
    expect(registration.namespaces).toEqual({
      users: [{ regex: '^@_irc\\.x\\+_.*:chat\\.example\\.org$', exclusive: true }],
      aliases: [{ regex: '^#_irc_.*:chat\\.example\\.org$', exclusive: true }],
      rooms: [],
    });
    const users = new RegExp(registration.namespaces.users![0]!.regex);
    expect(users.test('@_irc.x+_bob:chat.example.org')).toBe(true);
    expect(users.test('@_ircXx+_bob:chat.example.org')).toBe(false);
    expect(users.test('@_irc.x+_bob:chatXexample.org')).toBe(false);
    expect(users.test('@_irc.x+_bob:chat.example.org.evil')).toBe(false);
  });

  it('turns rate limits off and ephemeral data on, under the stable and the unstable key', () => {
    const registration = generateRegistration({ id: 'irc', url: null, serverName: 'example.org' });
    expect(registration).toMatchObject({ url: null, rate_limited: false, receive_ephemeral: true, 'de.sorunome.msc2409.push_ephemeral': true });
    expect(registration).not.toHaveProperty('org.matrix.msc3202');
    const more = generateRegistration({ id: 'irc', url: null, serverName: 'example.org', msc3202: true, msc4190: true, receiveEphemeral: false, protocols: ['irc'] });
    expect(more).toMatchObject({ receive_ephemeral: false, 'org.matrix.msc3202': true, 'io.element.msc4190': true, protocols: ['irc'] });
  });

  it('picks a random URL-safe sender localpart when none is given', () => {
    const a = generateRegistration({ id: 'irc', url: null, serverName: 'example.org' }).sender_localpart;
    const b = generateRegistration({ id: 'irc', url: null, serverName: 'example.org' }).sender_localpart;
    expect(a).toMatch(/^bot_[a-z0-9]{12}$/);
    expect(a).not.toBe(b);
    expect(generateRegistration({ id: 'irc', url: null, serverName: 'example.org', senderLocalpart: 'ircbot' }).sender_localpart).toBe('ircbot');
  });

  it('keeps namespaces given as they are beside the prefixed ones', () => {
    const registration = generateRegistration({
      id: 'irc',
      url: null,
      serverName: 'example.org',
      userPrefix: '_irc_',
      namespaces: { users: [{ regex: '@shared_.*', exclusive: false }], rooms: [{ regex: '!.*:example\\.org', exclusive: false }] },
    });
    expect(registration.namespaces.users).toHaveLength(2);
    expect(registration.namespaces.rooms).toEqual([{ regex: '!.*:example\\.org', exclusive: false }]);
  });

  it.each([
    ['an id with |', { id: 'a|b' }, /id/],
    ['a URL that is not http', { url: 'ftp://x' }, /url/],
    ['a prefix with upper case', { userPrefix: '_IRC_' }, /userPrefix/],
    ['a sender with a space', { senderLocalpart: 'my bot' }, /senderLocalpart/],
    ['a server name with a space', { serverName: 'example org' }, /serverName/],
  ])('refuses %s', (_name, override, message) => {
    expect(() => generateRegistration({ id: 'irc', url: null, serverName: 'example.org', ...override })).toThrow(message);
  });

  it('generates registrations that pass validation without warnings', () => {
    const registration = generateRegistration({ id: 'irc', url: 'https://bridge.example.org/as', serverName: 'example.org', userPrefix: '_irc_', aliasPrefix: '_irc_' });
    expect(validateRegistration(registration)).toEqual({ registration, warnings: [] });
  });
});

describe('validateRegistration', () => {
  it.each<[string, (r: Record<string, unknown>) => void, RegExp]>([
    ['missing namespaces', (r) => delete r.namespaces, /^namespaces: is missing/],
    ['url missing rather than null', (r) => delete r.url, /^url: is missing .*null` explicitly/],
    ['a url that is not a URL', (r) => (r.url = 'localhost:9000'), /^url: must be an http\(s\) URL or null/],
    ['a sender_localpart that needs URL encoding', (r) => (r.sender_localpart = 'my bot'), /^sender_localpart: 'my bot' holds characters that need URL encoding/],
    ['a missing as_token', (r) => delete r.as_token, /^as_token: is missing/],
    ['an hs_token that is not a string', (r) => (r.hs_token = 42), /^hs_token: must be a non-empty string/],
    ['equal tokens', (r) => (r.hs_token = r.as_token), /^hs_token: must differ from as_token/],
    ['a missing id', (r) => delete r.id, /^id: is missing/],
    ['an id with |', (r) => (r.id = 'a|b'), /^id: may not contain/],
    ['a namespace list that is not a list', (r) => (r.namespaces = { users: null }), /^namespaces\.users: must be a list/],
    ['a namespace entry without regex', (r) => (r.namespaces = { users: [{ exclusive: true }] }), /^namespaces\.users\[0\]\.regex: is missing/],
    ['a namespace entry without exclusive', (r) => (r.namespaces = { aliases: [{ regex: '#_x_.*' }] }), /^namespaces\.aliases\[0\]\.exclusive: is missing/],
    ['an exclusive that is a string', (r) => (r.namespaces = { rooms: [{ regex: '!x', exclusive: 'yes' }] }), /^namespaces\.rooms\[0\]\.exclusive: must be true or false/],
    ['an invalid regex', (r) => (r.namespaces = { users: [{ regex: '@_x_(.*', exclusive: true }] }), /^namespaces\.users\[0\]\.regex: is not a valid regex/],
    ['a namespace entry that is a string', (r) => (r.namespaces = { users: ['@_x_.*'] }), /^namespaces\.users\[0\]: must be a mapping/],
    ['a flag that is not a boolean', (r) => (r['org.matrix.msc3202'] = 'true'), /^org\.matrix\.msc3202: must be true or false/],
    ['protocols that are not strings', (r) => (r.protocols = [1]), /^protocols: must be a list of strings/],
  ])('refuses %s, naming the field', (_name, spoil, problem) => {
    const registration = valid();
    spoil(registration);
    const problems = problemsOf(registration);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('lists every problem at once and never quotes a token', () => {
    const problems = problemsOf({ as_token: AS_TOKEN, hs_token: AS_TOKEN, sender_localpart: 'a b', namespaces: { users: [{}] } });
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'id',
      'url',
      'hs_token',
      'sender_localpart',
      'namespaces.users[0].exclusive',
      'namespaces.users[0].regex',
    ]);
    expect(problems.join('\n')).not.toContain('SECRET');
  });

  it('refuses what is not a mapping', () => {
    expect(problemsOf(null)).toEqual(['(top level): must be a mapping of the registration keys']);
    expect(problemsOf(['id'])).toHaveLength(1);
  });

  it('accepts url: null explicitly', () => {
    expect(validateRegistration({ ...valid(), url: null }).registration.url).toBeNull();
  });

  it.each([
    ['an exclusive user namespace without _', { users: [{ regex: '@irc_.*:example\\.org', exclusive: true }] }, /^namespaces\.users\[0\]\.regex: exclusive users namespaces should start with '_'/],
    ['an exclusive anchored alias namespace without _', { aliases: [{ regex: '^#irc_.*', exclusive: true }] }, /^namespaces\.aliases\[0\]\.regex: exclusive aliases/],
    ['an unknown namespace kind', { user: [] }, /^namespaces\.user: is not a namespace kind/],
  ])('only warns about %s', (_name, namespaces, warning) => {
    const { warnings } = validateRegistration({ ...valid(), namespaces });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(warning);
  });

  it('does not warn about a non-exclusive namespace without _', () => {
    expect(validateRegistration({ ...valid(), namespaces: { users: [{ regex: '@irc_.*', exclusive: false }] } }).warnings).toEqual([]);
  });

  it('warns about short tokens, a sender that is no localpart and a missing rate_limited, without quoting tokens', () => {
    const { warnings } = validateRegistration({ ...valid(), as_token: 'SECRETshort', sender_localpart: 'IrcBot', rate_limited: undefined });
    expect(warnings.map((w) => w.split(':')[0])).toEqual(['as_token', 'sender_localpart', 'rate_limited']);
    expect(warnings.join('\n')).not.toContain('SECRET');
  });

  it('copies the registration without keys that reach a prototype, keeping vendor keys', () => {
    const hostile = JSON.parse(`{"__proto__": {"polluted": true}, "constructor": 1, "x.vendor": {"__proto__": {"polluted": true}, "a": 1}}`) as Record<string, unknown>;
    const { registration } = validateRegistration({ ...valid(), ...hostile });
    expect(Object.getPrototypeOf(registration)).toBe(Object.prototype);
    expect(Object.keys(registration)).not.toContain('__proto__');
    expect(Object.keys(registration)).not.toContain('constructor');
    expect(registration['x.vendor']).toEqual({ a: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseRegistration', () => {
  it('reads JSON', async () => {
    const { registration } = await parseRegistration(JSON.stringify(valid()));
    expect(registration).toEqual(valid());
  });

  it('reads hand-written YAML as YAML 1.1 as Synapse does (yes is true, \\# stays a regex escape)', async () => {
    const text = [
      '# the IRC bridge',
      'id: irc',
      'url: null',
      `as_token: "${AS_TOKEN}"`,
      `hs_token: ${HS_TOKEN}`,
      'sender_localpart: ircbot',
      'rate_limited: no',
      'namespaces:',
      '  users:',
      "  - exclusive: yes",
      "    regex: '@_irc_.*:example\\.org'",
      '  aliases:',
      '    - exclusive: true',
      '      regex: \\#_irc_.*:example\\.org',
      '  rooms: []',
    ].join('\n');
    const { registration, warnings } = await parseRegistration(text);
    expect(warnings).toEqual([]);
    expect(registration).toMatchObject({
      url: null,
      rate_limited: false,
      namespaces: {
        users: [{ exclusive: true, regex: '@_irc_.*:example\\.org' }],
        aliases: [{ exclusive: true, regex: '\\#_irc_.*:example\\.org' }],
        rooms: [],
      },
    });
  });

  it.each([
    ['broken YAML', `id: irc\nas_token: "${AS_TOKEN}\n  - : [`, /neither JSON nor valid YAML at line \d+, column \d+/],
    ['a duplicate key', `id: irc\nid: irc2\nas_token: ${AS_TOKEN}\n`, /neither JSON nor valid YAML at line 2/],
    ['an empty file', '', /\(top level\): must be a mapping/],
  ])('refuses %s with its position and without quoting the text', async (_name, text, message) => {
    const error = await parseRegistration(text, 'registration.yaml').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRegistrationError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('(registration.yaml)');
    expect((error as Error).message).not.toContain('SECRET');
  });
});

describe('registrationToYaml', () => {
  const generated = generateRegistration({
    id: 'irc',
    url: 'http://127.0.0.1:9000',
    serverName: 'example.org',
    senderLocalpart: 'ircbot',
    userPrefix: '_irc_',
    aliasPrefix: '_irc_',
    protocols: ['irc'],
    msc3202: true,
  });
  const cases: [string, AppserviceRegistration][] = [
    ['a generated registration', generated],
    ['a null url and empty namespaces', { ...generated, url: null, namespaces: {} }],
    ['awkward strings', { ...generated, id: "it's: #1 yes", sender_localpart: 'null', protocols: ['true', '', 'é ✓ 😀', 'line\nbreak\ttab "q" \\'] }],
    ['vendor keys, nested and odd', { ...generated, 'x.vendor': { list: [1, 2.5, false, null], 'key with space': 'v', yes: 'no' }, ip_range_whitelist: ['10.0.0.0/8'] }],
  ];

  it.each(cases)('round-trips %s through parseRegistration and a YAML parser', async (_name, registration) => {
    const text = registrationToYaml(registration);
    expect(parseYaml(text, { version: '1.1' })).toEqual(registration);
    expect(parseYaml(text, { version: '1.2' })).toEqual(registration);
    expect((await parseRegistration(text)).registration).toEqual(registration);
  });

  it('writes the same text for the same registration, whatever the key order', () => {
    const reversed = Object.fromEntries(Object.entries(generated).reverse()) as AppserviceRegistration;
    expect(registrationToYaml(reversed)).toBe(registrationToYaml(generated));
  });

  it('writes the spec keys first, in the spec order, and regexes without doubled backslashes', () => {
    const text = registrationToYaml({ ...generated, as_token: 'A', hs_token: 'H', 'a.vendor': true });
    expect(text).toBe(
      [
        "id: 'irc'",
        "url: 'http://127.0.0.1:9000'",
        "as_token: 'A'",
        "hs_token: 'H'",
        "sender_localpart: 'ircbot'",
        'namespaces:',
        '  users:',
        "    - regex: '^@_irc_.*:example\\.org$'",
        '      exclusive: true',
        '  aliases:',
        "    - regex: '^#_irc_.*:example\\.org$'",
        '      exclusive: true',
        '  rooms: []',
        'rate_limited: false',
        'receive_ephemeral: true',
        'de.sorunome.msc2409.push_ephemeral: true',
        'org.matrix.msc3202: true',
        'protocols:',
        "  - 'irc'",
        'a.vendor: true',
        '',
      ].join('\n'),
    );
  });
});
