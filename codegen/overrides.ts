/**
 * Fixes and additions to the spec, each with its reason. The YAML is never edited.
 */

/**
 * POST operations that may be repeated without harm, so the transport may retry
 * them after a 5xx or a dropped connection. The spec does not say which POSTs are
 * idempotent; these are, by what they do.
 */
export const SAFE_POSTS: Readonly<Record<string, string>> = {
  'POST /_matrix/client/v3/rooms/{roomId}/ban': 'banning a banned user changes nothing',
  'POST /_matrix/client/v3/rooms/{roomId}/unban': 'unbanning twice leaves the user unbanned',
  'POST /_matrix/client/v3/rooms/{roomId}/join': 'joining a joined room is a no-op',
  'POST /_matrix/client/v3/join/{roomIdOrAlias}': 'joining a joined room is a no-op',
  'POST /_matrix/client/v3/rooms/{roomId}/forget': 'forgetting is idempotent',
  'POST /_matrix/client/v3/rooms/{roomId}/read_markers': 'sets markers to given values',
  'POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}': 'a receipt for the same event is the same receipt',
  'POST /_matrix/client/v3/keys/query': 'read-only query',
  'POST /_matrix/client/v3/search': 'read-only query',
  'POST /_matrix/client/v3/user_directory/search': 'read-only query',
  'POST /_matrix/client/v3/publicRooms': 'read-only query with a filter body',
};

/** Path parameters that the client may fill itself when the chain leaves them out. */
export const GENERATED_PARAMS: Readonly<Record<string, 'txnId'>> = {
  txnId: 'txnId',
};
