/**
 * Fixes and additions to the spec, each with its reason. The YAML is never edited.
 */
import { isObject, type JsonObject } from './load.js';

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

/** A fix to one operation of the merged spec. */
export interface OperationPatch {
  /** Why the spec needs it. */
  reason: string;
  /** Changes the operation object in place. */
  apply(operation: JsonObject): void;
}

function jsonBodySchema(operation: JsonObject): JsonObject {
  const body = operation.requestBody;
  const content = isObject(body) && isObject(body.content) ? body.content['application/json'] : undefined;
  const schema = isObject(content) ? content.schema : undefined;
  if (!isObject(schema) || !isObject(schema.properties)) throw new Error('the patched operation has no JSON body with properties any more');
  return schema;
}

/** Fixes to operations, by route key. Codegen fails when a patched route disappears. */
export const OPERATION_PATCHES: Readonly<Record<string, OperationPatch>> = {
  'POST /_matrix/client/v3/register': {
    reason:
      'Application services register their users with `"type": "m.login.application_service"` in the body; ' +
      'the spec says so in prose only, so the body schema lacks the field.',
    apply(operation) {
      (jsonBodySchema(operation).properties as JsonObject).type = {
        type: 'string',
        enum: ['m.login.application_service'],
        description: 'Set by application services registering a user of their namespace (with the as_token).',
      };
    },
  },
};
