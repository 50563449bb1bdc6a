/**
 * Event-typed chain nodes: where a path parameter names an event type (a send,
 * a state event, account data, a to-device message), the call that binds it is
 * generic in the event type `E`, and every node and verb below it carries `E`.
 * The verbs then read their call type from the call map intersected with
 * `{ eventType: E }` (see `EventTyped` in generated/chains.ts), so the runtime's
 * call map can type each verb's body and response by the event type.
 */
import type { TreeNode } from './routes.js';

/** Which event types a parameter accepts in the reserved `m.` namespace. */
export type EventTypeSet = 'Exclude<KnownEventType, StateEventType>' | 'StateEventType' | 'KnownEventType';

/**
 * The parameter edges that name an event type, by the chain of the node they
 * lead to (parameter names as in the spec), with the `m.` types they accept:
 * sends take the event types that are not state (room messages, but also
 * `m.room.encrypted` and the in-room verification events), state the state event types,
 * account data and to-device messages any event type the spec defines.
 */
export const EVENT_TYPED_PARAMS: Readonly<Record<string, EventTypeSet>> = {
  'rooms/{roomId}/send/{eventType}': 'Exclude<KnownEventType, StateEventType>',
  'rooms/{roomId}/state/{eventType}': 'StateEventType',
  'user/{userId}/account_data/{type}': 'KnownEventType',
  'user/{userId}/rooms/{roomId}/account_data/{type}': 'KnownEventType',
  'sendToDevice/{eventType}': 'KnownEventType',
};

/** The types chains.ts needs for event-typed nodes (emitted after its imports). */
export const EVENT_TYPED_PRELUDE = `
/**
 * An event type argument: in the reserved \`m.\` namespace only the types the
 * spec defines (\`Known\`); any other namespaced type (\`com.example.*\`) as it is.
 * A misspelled \`m.\` type is \`never\`, so the call does not compile.
 */
export type EventTypeArg<E extends string, Known extends string> = E & (E extends \`m.\${string}\` ? Known : unknown);

/**
 * The call of an event-typed route for the event type \`E\`: the call map \`C\`
 * is read with \`eventType\` set to \`E\`, so a call map whose members use
 * \`this['eventType']\` types the body and the response by the event type.
 */
export type EventTyped<C extends CallMap, R extends RouteKey, E extends string> = (C & { readonly eventType: E })[R];
`;

/** The chain of a node, with the spec's parameter names. */
function chainOf(node: TreeNode): string {
  return node.segments.join('/');
}

/** The set of `m.` types the parameter edge into `node` accepts, when it names an event type. */
export function eventParamSet(node: TreeNode): EventTypeSet | undefined {
  return EVENT_TYPED_PARAMS[chainOf(node)];
}

/** Whether `node` is at or below an event-typed parameter. */
export function isEventTyped(node: TreeNode): boolean {
  const segments = node.segments;
  for (let i = 1; i <= segments.length; i++) {
    if (EVENT_TYPED_PARAMS[segments.slice(0, i).join('/')] !== undefined) return true;
  }
  return false;
}

/** Fails when an entry of {@link EVENT_TYPED_PARAMS} no longer names a parameter node of the api tree. */
export function checkEventTypedParams(root: TreeNode): void {
  const found = new Set<string>();
  const visit = (node: TreeNode): void => {
    if (eventParamSet(node) !== undefined) found.add(chainOf(node));
    for (const child of node.literals.values()) visit(child);
    if (node.param) visit(node.param);
  };
  visit(root);
  for (const chain of Object.keys(EVENT_TYPED_PARAMS)) {
    if (!found.has(chain)) throw new Error(`codegen/event-chains.ts names ${chain}, which the api tree no longer has`);
  }
}
