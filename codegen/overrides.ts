/**
 * Fixes and additions to the spec, each with its reason. The YAML is never edited.
 */
import { componentRef, isObject, type Json, type JsonObject } from './load.js';

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

/**
 * A `filter` query parameter that also takes the filter object, which the
 * runtime sends as JSON text (what the spec asks the caller to do by hand).
 */
function filterObject(schemaName: string): OperationPatch {
  return {
    reason: `The \`filter\` query parameter is a JSON-encoded ${schemaName} (or a filter id) in a string; the call also takes the object, sent as JSON.`,
    apply(operation) {
      const parameters = Array.isArray(operation.parameters) ? operation.parameters : [];
      const filter = parameters.find((p) => isObject(p) && p.in === 'query' && p.name === 'filter');
      if (!isObject(filter) || !isObject(filter.schema) || filter.schema.type !== 'string') throw new Error('no string filter query parameter to widen');
      filter.schema = { oneOf: [filter.schema, { $ref: componentRef(schemaName) }] };
    },
  };
}

/** Fixes to operations, by route key. */
export const OPERATION_FIXES: Readonly<Record<string, OperationPatch>> = {
  'GET /_matrix/client/v3/sync': filterObject('sync_filter'),
  'GET /_matrix/client/v3/rooms/{roomId}/messages': filterObject('room_event_filter'),
  'GET /_matrix/client/v3/rooms/{roomId}/context/{eventId}': filterObject('room_event_filter'),
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

/*
 * The tolerance layer: where real servers answer what the spec's schemas do
 * not allow, or the spec describes a field only in prose, the generated types
 * follow what arrives on the wire. Each entry says why; a type test in
 * test/types/tolerance.test-d.ts holds each one.
 */

/** The JSON schemas of an operation's success responses. */
function successSchemas(operation: JsonObject): JsonObject[] {
  const out: JsonObject[] = [];
  const responses = isObject(operation.responses) ? operation.responses : {};
  for (const [status, response] of Object.entries(responses)) {
    if (!/^2\d\d$/.test(status) || !isObject(response) || !isObject(response.content)) continue;
    const json = response.content['application/json'];
    if (isObject(json) && isObject(json.schema)) out.push(json.schema);
  }
  if (out.length === 0) throw new Error('the patched operation has no JSON success response any more');
  return out;
}

/**
 * Makes the string properties named `names` nullable wherever they appear in
 * `schema` (inline only: references to shared schemas are not followed).
 * Returns how many it changed.
 */
export function nullableStrings(schema: JsonObject, names: readonly string[]): number {
  let changed = 0;
  const visit = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isObject(node)) return;
    if (isObject(node.properties)) {
      for (const name of names) {
        const property = node.properties[name];
        if (isObject(property) && property.type === 'string') {
          property.type = ['string', 'null'];
          changed++;
        }
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'example' && key !== 'examples') visit(value);
  };
  visit(schema);
  return changed;
}

/** A tolerance that makes some optional strings of an operation's answer nullable. */
function nullableInAnswer(names: readonly string[], reason: string): OperationPatch {
  return {
    reason,
    apply(operation) {
      const changed = successSchemas(operation).reduce((sum, schema) => sum + nullableStrings(schema, names), 0);
      if (changed === 0) throw new Error(`no property ${names.join(', ')} left to make nullable: ${reason}`);
    },
  };
}

/** Tolerances of operations, by route key (applied like {@link OPERATION_FIXES}). */
export const OPERATION_TOLERANCES: Readonly<Record<string, OperationPatch>> = {
  'GET /_matrix/client/v3/rooms/{roomId}/joined_members': nullableInAnswer(
    ['avatar_url', 'display_name'],
    'Synapse sends `"avatar_url": null` (and `"display_name": null`) for a member without one, where the spec leaves the key out.',
  ),
  'POST /_matrix/client/v3/user_directory/search': nullableInAnswer(
    ['avatar_url', 'display_name'],
    'Synapse sends `null` for the avatar_url and display_name of a user without one.',
  ),
  'POST /_matrix/client/v3/search': nullableInAnswer(
    ['avatar_url', 'displayname'],
    'Synapse sends `null` for the avatar_url and displayname of `profile_info` in search context.',
  ),
  'GET /_matrix/client/v3/notifications': nullableInAnswer(
    ['profile_tag'],
    'Synapse sends `"profile_tag": null` for notifications of a pusher without a profile tag.',
  ),
  'GET /_matrix/client/v3/voip/turnServer': {
    reason: 'A server without a TURN server configured answers `{}` (Synapse does), so none of the fields is certain.',
    apply(operation) {
      for (const schema of successSchemas(operation)) delete schema.required;
    },
  },
};

/** A fix to one shared schema of the Client-Server API (by its component name). */
export interface SchemaPatch {
  /** Why the spec needs it. */
  reason: string;
  /** Changes the schema in place. */
  apply(schema: JsonObject): void;
}

/**
 * The relations a server bundles into `unsigned['m.relations']`: the spec
 * describes them in prose only (Threading, Event replacements, Reference
 * relations), so its `UnsignedData` schema lacks the key.
 */
export const BUNDLED_RELATIONS_SCHEMA: JsonObject = {
  type: 'object',
  description: 'Aggregations of the relations to this event, bundled by the server.',
  properties: {
    'm.thread': {
      type: 'object',
      description: 'The thread this event is the root of.',
      properties: {
        latest_event: { type: 'object', additionalProperties: true, description: 'The latest event of the thread, in the format of the enclosing response.' },
        count: { type: 'integer', description: 'The number of events in the thread.' },
        current_user_participated: { type: 'boolean', description: 'Whether the requesting user took part in the thread.' },
      },
      required: ['latest_event', 'count', 'current_user_participated'],
    },
    'm.replace': {
      type: 'object',
      description: 'The most recent replacement (edit) of this event.',
      properties: {
        event_id: { type: 'string' },
        origin_server_ts: { type: 'integer' },
        sender: { type: 'string' },
      },
      required: ['event_id', 'origin_server_ts', 'sender'],
    },
    'm.reference': {
      type: 'object',
      description: 'The events that reference this one.',
      properties: { chunk: { type: 'array', items: { type: 'object', properties: { event_id: { type: 'string' } }, required: ['event_id'] } } },
      required: ['chunk'],
    },
  },
  additionalProperties: true,
};

/** Tolerances of shared schemas of the Client-Server API, by component name. Codegen fails when one disappears. */
export const SCHEMA_TOLERANCES: Readonly<Record<string, SchemaPatch>> = {
  client_device: {
    reason: 'Synapse sends `"last_seen_ip": null` and `"last_seen_ts": null` for a device that was never seen.',
    apply(schema) {
      if (isObject(schema.properties)) {
        for (const name of ['last_seen_ip', 'last_seen_ts']) {
          const property = schema.properties[name];
          if (isObject(property) && typeof property.type === 'string') property.type = [property.type, 'null'];
          else throw new Error(`client_device.${name} is not a typed property any more`);
        }
      }
    },
  },
  client_event_without_room_id: {
    reason: 'Servers bundle aggregations of relations into `unsigned["m.relations"]`; the spec describes them in prose only.',
    apply(schema) {
      const unsigned = isObject(schema.properties) ? schema.properties.unsigned : undefined;
      if (!isObject(unsigned) || !isObject(unsigned.properties)) throw new Error('client_event_without_room_id has no unsigned properties any more');
      unsigned.properties['m.relations'] = structuredClone(BUNDLED_RELATIONS_SCHEMA);
    },
  },
};

/**
 * What the content of an event may hold beside its own fields, as the spec
 * describes in prose (Relationships, Rich replies, Event replacements, User
 * mentions): added to the content schema of every room event type that is not
 * state (the timeline messages), where the schema does not define the key itself.
 */
export const CONTENT_EXTRAS: Readonly<Record<string, JsonObject>> = {
  'm.relates_to': {
    type: 'object',
    title: 'm.relates_to',
    description: 'The relationship of this event to another one (a thread, a replacement, a reference, an annotation, or a reply).',
    properties: {
      rel_type: { type: 'string', description: 'The relationship type: `m.thread`, `m.replace`, `m.reference`, `m.annotation`, or a namespaced one.' },
      event_id: { type: 'string', description: 'The event this one relates to.' },
      key: { type: 'string', description: 'For `m.annotation`: the annotation, usually an emoji.' },
      is_falling_back: { type: 'boolean', description: 'For `m.thread`: whether `m.in_reply_to` is only a fallback for clients without threads.' },
      'm.in_reply_to': {
        type: 'object',
        description: 'The event this one replies to.',
        properties: { event_id: { type: 'string' } },
        required: ['event_id'],
      },
    },
  },
  'm.new_content': {
    type: 'object',
    additionalProperties: true,
    description: 'For a replacement (`rel_type: m.replace`): the new content of the replaced event.',
  },
  'm.mentions': {
    type: 'object',
    description: 'The users and rooms this event mentions intentionally.',
    properties: {
      user_ids: { type: 'array', items: { type: 'string' }, description: 'The user ids mentioned.' },
      room: { type: 'boolean', description: 'Whether the whole room is mentioned (`@room`).' },
    },
  },
};

/** The component name of a content extra in the event types document. */
export function contentExtraName(key: string): string {
  return `extras/${key}`;
}

/**
 * Adds {@link CONTENT_EXTRAS} (as references to their components, see
 * {@link contentExtraName}) to a content schema that is an object, leaving
 * keys it defines alone.
 */
export function withContentExtras(content: JsonObject): JsonObject {
  if (content.type !== 'object') return content;
  const properties = isObject(content.properties) ? { ...content.properties } : {};
  for (const key of Object.keys(CONTENT_EXTRAS)) {
    if (!(key in properties)) properties[key] = { $ref: componentRef(contentExtraName(key)) };
  }
  return { ...content, properties };
}

/** Every patch of an operation: the fixes, then the tolerances. Codegen fails when a patched route disappears. */
export const OPERATION_PATCHES: Readonly<Record<string, OperationPatch>> = { ...OPERATION_FIXES, ...OPERATION_TOLERANCES };

/** The shared schemas with {@link SCHEMA_TOLERANCES} applied (copies; the input is left alone). Fails on a name the spec no longer has. */
export function withSchemaTolerances(schemas: Record<string, Json>): Record<string, Json> {
  const out = { ...schemas };
  for (const [name, patch] of Object.entries(SCHEMA_TOLERANCES)) {
    const schema = out[name];
    if (!isObject(schema)) throw new Error(`codegen/overrides.ts patches the schema ${name}, which the spec no longer has`);
    const copy = structuredClone(schema);
    patch.apply(copy);
    out[name] = copy;
  }
  return out;
}
