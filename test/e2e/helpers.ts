/**
 * Shared helpers of the end-to-end suite: the injected Synapse, fresh users with
 * their clients, a hand-made PNG, and small readers over the public API.
 *
 * Everything here goes through the public entry point (`src/index.js`) except
 * user registration and ratelimit overrides, which use the harness's admin APIs.
 */
import { deflateSync } from 'node:zlib';
import { inject } from 'vitest';
import { createClient, type ClientOptions, type MatrixClient, type TransportLogger } from '../../src/index.js';
import { overrideRatelimit, registerUser, type RatelimitOverride, type RegisteredUser } from '../harness/synapse.js';
import type { ProvidedSynapse } from '../harness/global-setup.js';

/** The throwaway homeserver the global setup started. */
export function synapse(): ProvidedSynapse {
  const provided = inject('synapse') as ProvidedSynapse | undefined;
  if (!provided) throw new Error('No Synapse provided: run this file with the e2e project (npx vitest run --project e2e)');
  return provided;
}

/** A freshly registered user and a client logged in as them. */
export interface TestUser extends RegisteredUser {
  client: MatrixClient;
}

/** Extra client options of {@link newUser} (everything but the base URL and credentials). */
export type ExtraClientOptions = Omit<ClientOptions, 'baseUrl' | 'accessToken' | 'asToken'>;

/** Registers a fresh user (random localpart) and builds a client with their access token. */
export async function newUser(
  options: { displayname?: string; client?: ExtraClientOptions } = {},
): Promise<TestUser> {
  const hs = synapse();
  const user = await registerUser(hs.baseUrl, hs.registrationSharedSecret, {
    displayname: options.displayname,
  });
  const client = createClient({ ...options.client, baseUrl: hs.baseUrl, accessToken: user.accessToken });
  return { ...user, client };
}

/** Throttles one user for real (Synapse's per-user override; integers only, applies to all of their requests). */
export function throttle(userId: string, override: RatelimitOverride): Promise<void> {
  const hs = synapse();
  return overrideRatelimit(hs.baseUrl, hs.registrationSharedSecret, userId, override);
}

/** A logger that keeps every line, for assertions (and keeps the test output quiet). */
export function recordingLogger(): TransportLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep =
    (level: string) =>
    (message: string, context?: Record<string, unknown>): void => {
      lines.push(`${level} ${message} ${context === undefined ? '' : JSON.stringify(context)}`);
    };
  return { lines, debug: keep('debug'), info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** Creates a room as `owner` and has every other user accept an invite into it. */
export async function roomWith(owner: TestUser, members: readonly TestUser[] = [], body: Record<string, unknown> = {}): Promise<string> {
  const { room_id: roomId } = await owner.client.api.createRoom.post({ preset: 'private_chat', ...body });
  for (const member of members) {
    await owner.client.api.rooms(roomId).invite.post({ user_id: member.userId });
    await member.client.api.rooms(roomId).join.post({});
  }
  return roomId;
}

/** A timeline event as `messages` returns it, narrowed to what the tests read. */
export interface TimelineEvent {
  event_id: string;
  type: string;
  sender: string;
  state_key?: string;
  content: Record<string, unknown>;
  unsigned?: Record<string, unknown>;
}

/** The latest `limit` events of a room, newest first. */
export async function latestEvents(client: MatrixClient, roomId: string, limit = 20): Promise<TimelineEvent[]> {
  const page = await client.api.rooms(roomId).messages.get({ dir: 'b', limit });
  return page.chunk as unknown as TimelineEvent[];
}

/** The `m.room.message` events of a room, newest first. */
export async function latestMessages(client: MatrixClient, roomId: string, limit = 20): Promise<TimelineEvent[]> {
  return (await latestEvents(client, roomId, limit)).filter((event) => event.type === 'm.room.message');
}

/** Runs `fn` and returns what it threw (failing the test when it did not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw, but it resolved');
}

// ---------------------------------------------------------------------------
// A real PNG, built by hand: signature, IHDR, one zlib-deflated IDAT, IEND.
// ---------------------------------------------------------------------------

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO-HDLC, the one PNG chunks use). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return out;
}

/** A valid truecolour PNG of `width`×`height` pixels: a red/green gradient over a blue constant. */
export function makePng(width = 64, height = 64): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // no interlace
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter type None
    for (let x = 0; x < width; x++) {
      const at = y * stride + 1 + x * 3;
      raw[at] = Math.round((x / Math.max(1, width - 1)) * 255);
      raw[at + 1] = Math.round((y / Math.max(1, height - 1)) * 255);
      raw[at + 2] = 128;
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const png = Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Whether bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b);
}
