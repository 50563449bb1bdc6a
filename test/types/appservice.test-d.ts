/**
 * The appservice handlers are typed like the sync loop's: event contents from
 * the spec, room contexts for room events, group and lifecycle payloads.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  createClient,
  type EventContentMap,
  type Appservice,
  type AppserviceEventContext,
  type AppserviceRoomEventContext,
  type AppserviceTransactionInfo,
  type DeadLetter,
  type PingOutcome,
  type RoomEventContext,
} from '../../src/index.js';

declare const appservice: Appservice;

describe('appservice.on', () => {
  it('types a room event and its context as the sync loop does', () => {
    appservice.on('m.room.message', (event, context) => {
      expectTypeOf(event.content.msgtype).toEqualTypeOf<EventContentMap['m.room.message']['msgtype']>();
      expectTypeOf(event.room_id).toEqualTypeOf<string>();
      expectTypeOf(context).toEqualTypeOf<AppserviceRoomEventContext>();
      expectTypeOf(context.roomId).toEqualTypeOf<string>();
    });
    appservice.on('m.typing', (event, context) => {
      expectTypeOf(event.content.user_ids).toEqualTypeOf<string[]>();
      expectTypeOf(context).toEqualTypeOf<AppserviceEventContext>();
    });
  });

  it('types the group and lifecycle events', () => {
    appservice.on('typing', (update, transaction) => {
      expectTypeOf(update.userIds).toEqualTypeOf<string[]>();
      expectTypeOf(transaction).toEqualTypeOf<AppserviceTransactionInfo>();
    });
    appservice.on('deadLetter', (letter) => {
      expectTypeOf(letter).toEqualTypeOf<DeadLetter>();
    });
    appservice.on('otkCounts', ({ counts }) => {
      expectTypeOf(counts).toEqualTypeOf<Record<string, Record<string, Record<string, number>>>>();
    });
    appservice.on('ready', ({ ping }) => {
      expectTypeOf(ping).toEqualTypeOf<PingOutcome>();
    });
    // @ts-expect-error a lifecycle handler gets its own payload, not an event
    appservice.on('ready', (event: { content: string }) => void event);
  });

  it('takes a handler written for the sync loop when it only reads what both give', () => {
    const handler = (event: { event_id: string; content: Record<string, unknown> }, { roomId }: { roomId: string }): void => void [event, roomId];
    appservice.on('m.room.message', handler);
    createClient({ baseUrl: '', accessToken: '' }).on('m.room.message', handler);
    expectTypeOf<RoomEventContext['roomId']>().toEqualTypeOf<AppserviceRoomEventContext['roomId']>();
  });

  it('exposes fetch as a web-standard handler', () => {
    expectTypeOf(appservice.fetch).toEqualTypeOf<(request: Request) => Promise<Response>>();
  });
});
