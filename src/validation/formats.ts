/**
 * The Matrix string formats of the spec's `data/string-formats.yaml`, as checks.
 * Lenient where the spec is (historical user ids may hold more than the
 * grammar of today; room ids since room version 12 carry no server name);
 * strict on what every version shares (the sigil, the server name, the length).
 */

/** The longest id the spec allows (user ids, room aliases and the like), in characters. */
const MAX_ID_LENGTH = 255;

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;
const DNS_NAME = /^[A-Za-z0-9.-]{1,255}$/;
const PORT = /^\d{1,5}$/;
const MEDIA_ID = /^[A-Za-z0-9_-]+$/;
const OPAQUE = /^[^\s\u0000-\u001f\u007f]+$/u;
const BASE64 = /^[A-Za-z0-9+/]*$/;
const URLSAFE_BASE64 = /^[A-Za-z0-9_-]*$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** `host[:port]`: an IPv4 literal, a bracketed IPv6 literal or a DNS name, then an optional port. */
export function isServerName(value: string): boolean {
  let host = value;
  const bracket = value.lastIndexOf(']');
  const colon = value.lastIndexOf(':');
  if (colon > bracket) {
    const port = value.slice(colon + 1);
    if (!PORT.test(port) || Number(port) > 65_535) return false;
    host = value.slice(0, colon);
  }
  return host !== '' && (IPV4.test(host) || IPV6.test(host) || DNS_NAME.test(host));
}

/** `<sigil>localpart:server_name`, within the length limit. */
function isQualified(value: string, sigil: string): boolean {
  if (value.length > MAX_ID_LENGTH || value[0] !== sigil) return false;
  const colon = value.indexOf(':');
  return colon > 1 && OPAQUE.test(value.slice(1, colon)) && isServerName(value.slice(colon + 1));
}

/** `<sigil>opaque[:server_name]` (room and event ids: a server name only in older room versions). */
function isOpaqueId(value: string, sigil: string): boolean {
  if (value.length > MAX_ID_LENGTH || value.length < 2 || value[0] !== sigil) return false;
  return OPAQUE.test(value.slice(1));
}

/** `mxc://<server-name>/<media-id>`. */
function isMxcUri(value: string): boolean {
  if (!value.startsWith('mxc://')) return false;
  const rest = value.slice('mxc://'.length);
  const slash = rest.indexOf('/');
  return slash > 0 && isServerName(rest.slice(0, slash)) && MEDIA_ID.test(rest.slice(slash + 1));
}

/** Each checked format: its test and the words of an issue. */
export const FORMATS: { readonly [format: string]: { readonly test: (value: string) => boolean; readonly expected: string } } = Object.freeze({
  'mx-user-id': { test: (v: string) => isQualified(v, '@'), expected: 'a user id (@localpart:server.name)' },
  'mx-room-alias': { test: (v: string) => isQualified(v, '#'), expected: 'a room alias (#alias:server.name)' },
  'mx-room-id': { test: (v: string) => isOpaqueId(v, '!'), expected: 'a room id (!opaque_id)' },
  'mx-event-id': { test: (v: string) => isOpaqueId(v, '$'), expected: 'an event id ($opaque_id)' },
  'mx-server-name': { test: isServerName, expected: 'a server name (host[:port])' },
  'mx-mxc-uri': { test: isMxcUri, expected: 'an mxc URI (mxc://server.name/media_id)' },
  'mx-unpadded-base64': { test: (v: string) => BASE64.test(v), expected: 'unpadded base64' },
  'mx-urlsafe-unpadded-base64': { test: (v: string) => URLSAFE_BASE64.test(v), expected: 'URL-safe unpadded base64' },
  uri: { test: (v: string) => URI_SCHEME.test(v), expected: 'a URI (scheme:…)' },
} as Record<string, { test: (value: string) => boolean; expected: string }>);
