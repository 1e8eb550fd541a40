// FileLog pagination keys. Teleport's key is the last event's uid (or a hash of its JSON), which
// repeats when uids repeat (real logs hold many events with one uid) and then pages loop or
// skip. Our key is the last event's position in the sort order instead: time, session, event
// index, log file and the line's byte offset in it. Lines are only ever appended, so a position
// stays valid and names exactly one line. Teleport's own keys are still accepted on input.
import { badParameter } from '../errors.js';

/** Where an event sits in the sort order (see search-order.ts): a total order over lines. */
export interface SearchCursor {
  seconds: number;
  nanos: number;
  sid: string;
  ei: number;
  /** The log file: its server dir's name and its file name (unique among searched files). */
  file: string;
  /** Byte offset of the line in that file. */
  offset: number;
}

/** Prefix of our keys: characters an event id may have, so callers that check keys accept it. */
const PREFIX = 'fl1.';
// seconds int64, nanos uint32, ei float64, offset float64, file length uint16
const FIXED = 8 + 4 + 8 + 8 + 2;

export function encodeSearchKey(c: SearchCursor): string {
  const file = Buffer.from(c.file, 'utf8');
  const sid = Buffer.from(c.sid, 'utf8');
  const bytes = Buffer.alloc(FIXED + file.length + sid.length);
  bytes.writeBigInt64BE(BigInt(c.seconds), 0);
  bytes.writeUInt32BE(c.nanos, 8);
  bytes.writeDoubleBE(c.ei, 12);
  bytes.writeDoubleBE(c.offset, 20);
  bytes.writeUInt16BE(file.length, 28);
  file.copy(bytes, FIXED);
  sid.copy(bytes, FIXED + file.length);
  return PREFIX + bytes.toString('base64url');
}

function utf8(bytes: Buffer): string | null {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : null;
}

/**
 * The position in a key this log handed out; null for any other key (Teleport's uid or hash
 * keys). A key with our prefix that does not decode is refused rather than taken for a uid.
 */
export function decodeSearchKey(key: string): SearchCursor | null {
  if (!key.startsWith(PREFIX)) return null;
  const body = key.slice(PREFIX.length);
  const bad = (why: string) => badParameter(`malformed search key ${JSON.stringify(key.slice(0, 64))}: ${why}`);
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw bad('not URL-safe base64');
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length < FIXED) throw bad(`${bytes.length} bytes, want at least ${FIXED}`);
  const seconds = Number(bytes.readBigInt64BE(0));
  const nanos = bytes.readUInt32BE(8);
  const ei = bytes.readDoubleBE(12);
  const offset = bytes.readDoubleBE(20);
  const fileLength = bytes.readUInt16BE(28);
  if (!Number.isSafeInteger(seconds) || nanos >= 1e9) throw bad('time out of range');
  if (!Number.isFinite(ei)) throw bad('event index is not a number');
  if (!Number.isSafeInteger(offset) || offset < 0) throw bad('offset out of range');
  if (FIXED + fileLength > bytes.length) throw bad('file name runs past the end');
  const file = utf8(bytes.subarray(FIXED, FIXED + fileLength));
  const sid = utf8(bytes.subarray(FIXED + fileLength));
  if (file === null || file === '' || sid === null) throw bad('invalid file name or session id');
  return { seconds, nanos, sid, ei, file, offset };
}
