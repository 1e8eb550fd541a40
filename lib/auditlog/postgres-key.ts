// Teleport's pgevents pagination key: the URL-safe base64 (with padding) of 24 bytes, the last
// row's event_time as Unix microseconds (int64 little-endian) then its event_id's 16 bytes.
// Times travel as microseconds because that is what a timestamptz holds.
import { badParameter } from '../errors.js';
import { Timestamp } from '../events/timestamp.js';

export interface RowKey {
  /** event_time in Unix microseconds. */
  micros: bigint;
  /** event_id, canonical lower-case UUID. */
  id: string;
}

const KEY_BYTES = 24;

export function encodeKey(key: RowKey): string {
  const bytes = Buffer.alloc(KEY_BYTES);
  bytes.writeBigInt64LE(key.micros, 0);
  Buffer.from(key.id.replace(/-/g, ''), 'hex').copy(bytes, 8);
  return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

export function decodeKey(text: string): RowKey {
  // Go's base64.URLEncoding: the URL-safe alphabet, '=' padding required.
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    throw badParameter(`malformed pagination key ${JSON.stringify(String(text).slice(0, 64))}: not URL-safe base64`);
  }
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length !== KEY_BYTES) {
    throw badParameter(`malformed pagination key ${JSON.stringify(text.slice(0, 64))}: ${bytes.length} bytes, want ${KEY_BYTES}`);
  }
  const hex = bytes.subarray(8).toString('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { micros: bytes.readBigInt64LE(0), id };
}

/** A time as Unix microseconds, the sub-microsecond digits dropped (as a timestamptz stores it). */
export function toMicros(time: Timestamp): bigint {
  return BigInt(time.seconds) * 1_000_000n + BigInt(Math.floor(time.nanos / 1000));
}

/** Unix microseconds as a timestamptz literal PostgreSQL reads exactly (RFC 3339, UTC). */
export function microsToText(micros: bigint): string {
  let seconds = micros / 1_000_000n;
  let rest = micros % 1_000_000n;
  if (rest < 0n) {
    rest += 1_000_000n;
    seconds -= 1n;
  }
  return new Timestamp(Number(seconds), Number(rest) * 1000).toISOString();
}
