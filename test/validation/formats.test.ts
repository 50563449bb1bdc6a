/**
 * The Matrix string formats (`data/string-formats.yaml`) as the validation
 * checks them, case by case.
 */
import { describe, expect, it } from 'vitest';
import { FORMATS, isServerName } from '../../src/validation/formats.js';

const CASES: [string, string, boolean][] = [
  ['mx-user-id', '@alice:example.org', true],
  ['mx-user-id', '@alice:example.org:8448', true],
  ['mx-user-id', '@a:[2001:db8::1]:443', true],
  ['mx-user-id', '@alice', false],
  ['mx-user-id', 'alice:example.org', false],
  ['mx-user-id', '@:example.org', false],
  ['mx-user-id', '@alice:', false],
  ['mx-user-id', '@ali ce:example.org', false],
  ['mx-user-id', `@${'a'.repeat(250)}:example.org`, false],
  ['mx-room-id', '!opaque:example.org', true],
  ['mx-room-id', '!zWp0Bpzl2NlpgBm1fI3nb_QnJkhY2XxaXHu4d51F8H0', true],
  ['mx-room-id', '!', false],
  ['mx-room-id', '#alias:example.org', false],
  ['mx-event-id', '$143273582443PhrSn:example.org', true],
  ['mx-event-id', '$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk', true],
  ['mx-event-id', '$with space', false],
  ['mx-room-alias', '#lobby:example.org', true],
  ['mx-room-alias', '#lobby', false],
  ['mx-mxc-uri', 'mxc://example.org/SEsfnsuifSDFSSEF', true],
  ['mx-mxc-uri', 'mxc://example.org:8448/a_b-C', true],
  ['mx-mxc-uri', 'mxc://example.org/', false],
  ['mx-mxc-uri', 'mxc://example.org/a/b', false],
  ['mx-mxc-uri', 'https://example.org/a', false],
  ['mx-unpadded-base64', 'SGVsbG8+/w', true],
  ['mx-unpadded-base64', 'SGVsbG8=', false],
  ['mx-urlsafe-unpadded-base64', 'SGVsbG8-_w', true],
  ['mx-urlsafe-unpadded-base64', 'SGVsbG8+', false],
  ['uri', 'https://example.org', true],
  ['uri', 'example.org', false],
];

describe('the Matrix string formats', () => {
  it.each(CASES)('%s %j is %s', (format, value, valid) => {
    expect(FORMATS[format]!.test(value)).toBe(valid);
  });

  it.each<[string, boolean]>([
    ['example.org', true], ['localhost:8008', true], ['1.2.3.4', true], ['[::1]', true], ['[1234:5678::abcd]:8448', true],
    ['', false], ['example.org:', false], ['example.org:65536', false], ['exa mple.org', false], ['[::1', false], ['::1', false],
  ])('server name %j is %s', (value, valid) => {
    expect(isServerName(value)).toBe(valid);
  });
});
