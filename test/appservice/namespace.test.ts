/**
 * Namespace matching: anchored at the start only, as Synapse's `re.match` does;
 * the application service's own user always belongs; exclusivity per entry.
 */
import { describe, expect, it } from 'vitest';
import { compileNamespaceRegex, NamespaceMatcher, type AppserviceRegistration } from '../../src/index.js';

const registration: Pick<AppserviceRegistration, 'sender_localpart' | 'namespaces'> = {
  sender_localpart: 'ircbot',
  namespaces: {
    users: [
      { regex: '@_irc_.*:example\\.org', exclusive: true },
      { regex: '^@shared_.*:example\\.org$', exclusive: false },
    ],
    aliases: [{ regex: '#_irc_.*', exclusive: true }],
    rooms: [{ regex: '!bridged:example\\.org', exclusive: false }],
  },
};
const namespaces = new NamespaceMatcher(registration, 'example.org');

describe('compileNamespaceRegex', () => {
  it.each<[string, string, string, boolean]>([
    ['matches from the start', '@_irc_.*', '@_irc_bob:example.org', true],
    ['does not match in the middle (re.match, not re.search)', '_irc_.*', '@_irc_bob:example.org', false],
    ['does not require the end (re.match is a prefix match)', '@_irc_', '@_irc_bob:example.org', true],
    ['keeps an explicit end anchor', '^@_irc_.*:example\\.org$', '@_irc_bob:example.org.evil', false],
    ['anchors every alternative at the start', '@a|@b', 'x@b', false],
    ['matches the second alternative at the start', '@a|@b', '@b:x', true],
    ['reads Python identity escapes such as \\#', '\\#_irc_.*', '#_irc_chat:example.org', true],
    ['reads Python named groups', '@(?P<net>[a-z]+)_(?P=net):x', '@irc_irc:x', true],
    ['reads \\A and \\Z', '\\A@_irc_.*:x\\Z', '@_irc_a:x', true],
    ['\\Z ends the match', '@_irc_\\Z', '@_irc_a', false],
    ['reads a leading (?i)', '(?i)@_IRC_.*', '@_irc_a:x', true],
    ['reads a leading (?s) (dot matches a newline)', '(?s)@_irc_.x', '@_irc_\nx', true],
    ['without (?s) a dot does not match a newline', '@_irc_.x', '@_irc_\nx', false],
  ])('%s', (_name, source, value, want) => {
    expect(compileNamespaceRegex(source).test(value)).toBe(want);
  });

  it.each([['an unbalanced group', '@_irc_(.*'], ['an inline verbose flag', '(?x)@ _irc_'], ['a bad class', '@[z-a]']])('throws a SyntaxError for %s', (_name, source) => {
    expect(() => compileNamespaceRegex(source)).toThrow(SyntaxError);
  });
});

describe('NamespaceMatcher', () => {
  it.each<[string, string, boolean, boolean]>([
    ['the application service user, whatever the namespaces', '@ircbot:example.org', true, true],
    ['a user of an exclusive namespace', '@_irc_alice:example.org', true, true],
    ['a user of a shared namespace', '@shared_bob:example.org', true, false],
    ['a user of another server', '@_irc_alice:example.com', false, false],
    ['a user outside the namespaces', '@alice:example.org', false, false],
    ['the bot name on another server', '@ircbot:example.com', false, false],
  ])('%s', (_name, userId, inNamespace, exclusive) => {
    expect(namespaces.isUserInNamespace(userId)).toBe(inNamespace);
    expect(namespaces.isUserExclusive(userId)).toBe(exclusive);
  });

  it('names the bot user', () => {
    expect(namespaces.botUserId).toBe('@ircbot:example.org');
  });

  it('matches aliases and rooms by their own namespaces only', () => {
    expect(namespaces.isAliasInNamespace('#_irc_chat:example.org')).toBe(true);
    expect(namespaces.isAliasInNamespace('#chat:example.org')).toBe(false);
    expect(namespaces.isAliasInNamespace('@_irc_alice:example.org')).toBe(false);
    expect(namespaces.isRoomInNamespace('!bridged:example.org')).toBe(true);
    expect(namespaces.isRoomInNamespace('!other:example.org')).toBe(false);
  });

  it('treats absent namespace kinds as empty', () => {
    const bare = new NamespaceMatcher({ sender_localpart: 'bot', namespaces: {} }, 'example.org');
    expect(bare.isUserInNamespace('@bot:example.org')).toBe(true);
    expect(bare.isUserInNamespace('@_irc_alice:example.org')).toBe(false);
    expect(bare.isAliasInNamespace('#a:example.org')).toBe(false);
  });
});
