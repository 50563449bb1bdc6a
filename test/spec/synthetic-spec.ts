/**
 * A later spec made from the pinned one, for the bump test: a copy of the tree
 * with four changes of the kinds a real spec release makes, each touching one
 * operation, each with the words that mark its lines in the generated diff.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';

/** One change of the synthetic spec, and what shows it. */
export interface SyntheticChange {
  /** The operation it touches. */
  route: string;
  /** The summary line(s) the bump prints for it. */
  summary: readonly string[];
  /** Words, one of which is on every changed line of the generated diff that it explains. */
  markers: readonly string[];
}

/** The operation added: a new read under a room. */
export const ADDED: SyntheticChange = {
  route: 'GET /_matrix/client/v3/rooms/{roomId}/synthetic_summary',
  summary: ['  + GET /_matrix/client/v3/rooms/{roomId}/synthetic_summary'],
  markers: ['synthetic_summary', 'getSyntheticSummary', 'Synthetic summary'],
};

/** The operation removed (no code of the project calls it). */
export const REMOVED: SyntheticChange = {
  route: 'GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event',
  summary: ['  - GET /_matrix/client/v1/rooms/{roomId}/timestamp_to_event'],
  markers: ['timestamp_to_event', 'getEventByTimestamp'],
};

/** A response field narrowed: a member's `avatar_url` from any URI to an `mxc://` URI. */
export const NARROWED: SyntheticChange = {
  route: 'GET /_matrix/client/v3/rooms/{roomId}/joined_members',
  summary: [
    '  ~ GET /_matrix/client/v3/rooms/{roomId}/joined_members',
    '      response 200 .joined.patternProperties.^@.avatar_url.format: "uri" → "mx-mxc-uri"',
  ],
  markers: ['mx-mxc-uri', 'mxc://'],
};

/** A parameter added: an optional query parameter on a read that had none. */
export const PARAMETER: SyntheticChange = {
  route: 'GET /_matrix/client/v3/joined_rooms',
  summary: ['  ~ GET /_matrix/client/v3/joined_rooms', '      query parameter synthetic_limit added'],
  markers: ['synthetic_limit', '"GET /_matrix/client/v3/joined_rooms"'],
};

/** Every change of the synthetic spec. */
export const SYNTHETIC_CHANGES = [ADDED, REMOVED, NARROWED, PARAMETER] as const;

function edit(file: string, change: (doc: ReturnType<typeof parseDocument>) => void): void {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  change(doc);
  writeFileSync(file, String(doc));
}

/**
 * Copies the tree at `from` to `to` and makes the four changes of
 * {@link SYNTHETIC_CHANGES} in its YAML.
 *
 * @example
 * buildSyntheticSpec('.cache/matrix-spec/v1.19', join(tmp, 'tree'));
 */
export function buildSyntheticSpec(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
  const cs = join(to, 'data', 'api', 'client-server');
  edit(join(cs, 'rooms.yaml'), (doc) => {
    doc.setIn(['paths', '/rooms/{roomId}/synthetic_summary'], doc.createNode({
      get: {
        summary: 'Synthetic summary of a room.',
        description: 'Gets a synthetic summary of a room.',
        operationId: 'getSyntheticSummary',
        security: [{ accessTokenBearer: [] }],
        parameters: [{ in: 'path', name: 'roomId', required: true, description: 'The room.', schema: { type: 'string' } }],
        responses: {
          200: {
            description: 'The summary.',
            content: { 'application/json': { schema: { type: 'object', properties: { members: { type: 'integer', description: 'How many.' } }, required: ['members'] } } },
          },
        },
      },
    }));
    const avatar = ['paths', '/rooms/{roomId}/joined_members', 'get', 'responses', '200', 'content', 'application/json', 'schema',
      'properties', 'joined', 'patternProperties', '^@', 'properties', 'avatar_url', 'format'];
    if (doc.getIn(avatar) !== 'uri') throw new Error('the pinned spec changed: joined_members avatar_url is not format uri');
    doc.setIn(avatar, 'mx-mxc-uri');
  });
  edit(join(cs, 'room_event_by_timestamp.yaml'), (doc) => {
    if (!doc.hasIn(['paths', '/rooms/{roomId}/timestamp_to_event'])) throw new Error('the pinned spec changed: no timestamp_to_event');
    doc.deleteIn(['paths', '/rooms/{roomId}/timestamp_to_event']);
  });
  edit(join(cs, 'list_joined_rooms.yaml'), (doc) => {
    const get = ['paths', '/joined_rooms', 'get'];
    if (!doc.hasIn(get) || doc.hasIn([...get, 'parameters'])) throw new Error('the pinned spec changed: joined_rooms has parameters');
    doc.setIn([...get, 'parameters'], doc.createNode([
      { in: 'query', name: 'synthetic_limit', description: 'At most this many.', schema: { type: 'integer' } },
    ]));
  });
}
