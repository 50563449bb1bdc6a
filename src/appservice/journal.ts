/**
 * The framing of the file store's journal: each record is a 12-byte header
 * (magic, payload length, CRC-32 of the payload) and its payload. Reading
 * tells a torn tail (a crash mid-append: ignored) from damage in the middle
 * (a valid record follows the bad one: a fatal error).
 */
import * as zlib from 'node:zlib';

const MAGIC = 0x314a464d; // 'MFJ1' little-endian
export const HEADER_BYTES = 12;

let table: Uint32Array | undefined;

/**
 * CRC-32 (IEEE) of `data`, continuing from `value` (the CRC of what came before): node:zlib's
 * when this Node has it (20.15+), else a table-driven one.
 */
export function crc32(data: Uint8Array, value = 0): number {
  const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
  if (native !== undefined) return native(data, value) >>> 0;
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = (value ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** One framed record: the header, then the payload's parts as they are (no copy). */
export function frame(...parts: Uint8Array[]): Uint8Array[] {
  let length = 0;
  let crc = 0;
  for (const part of parts) {
    length += part.length;
    crc = crc32(part, crc);
  }
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(length, 4);
  header.writeUInt32LE(crc, 8);
  return [header, ...parts];
}

/** The journal is damaged somewhere other than its tail. */
export class JournalCorruptError extends Error {
  override readonly name = 'JournalCorruptError';
}

/** Whether a whole valid record starts at `offset`. */
function validAt(buffer: Buffer, offset: number): boolean {
  if (buffer.length - offset < HEADER_BYTES || buffer.readUInt32LE(offset) !== MAGIC) return false;
  const length = buffer.readUInt32LE(offset + 4);
  const end = offset + HEADER_BYTES + length;
  if (end > buffer.length) return false;
  return crc32(buffer.subarray(offset + HEADER_BYTES, end)) === buffer.readUInt32LE(offset + 8);
}

/**
 * Reads the records of a journal. Answers the payloads and the length of the valid prefix
 * (shorter than the buffer when a torn tail was found). Throws {@link JournalCorruptError} when
 * a bad record is followed by a valid one: that is damage, not a torn append.
 */
export function readRecords(buffer: Buffer, path: string): { payloads: Buffer[]; validBytes: number } {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (validAt(buffer, offset)) {
      const length = buffer.readUInt32LE(offset + 4);
      payloads.push(buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length));
      offset += HEADER_BYTES + length;
      continue;
    }
    // A bad record: a torn tail only if no valid record starts anywhere after it.
    for (let probe = buffer.indexOf(MAGIC_BYTES, offset + 1); probe !== -1; probe = buffer.indexOf(MAGIC_BYTES, probe + 1)) {
      if (validAt(buffer, probe)) {
        throw new JournalCorruptError(
          `The application service journal ${path} is damaged at byte ${offset} (valid records follow): refusing to start rather than lose transactions. Inspect or move the file away.`,
        );
      }
    }
    return { payloads, validBytes: offset };
  }
  return { payloads, validBytes: offset };
}

const MAGIC_BYTES = (() => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(MAGIC, 0);
  return bytes;
})();
