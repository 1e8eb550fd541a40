// The ProtoStream V1 part format, shared by both codec backends:
//
//   part    = header(24) + gzip member (PartSize bytes) + PaddingSize zero bytes
//   header  = uint64 BE version (1) | uint64 BE PartSize | uint64 BE PaddingSize
//   gzip    = Go's 10-byte header, raw deflate, CRC32 LE, ISIZE LE
//   records = uint32 BE length + events.OneOf bytes, back to back
//
// How auditcast writes the deflate stream: framed records are staged and compressed in chunks of
// CHUNK_BYTES with a sync flush (each chunk is independent and byte-aligned), and a part ends with
// an empty final block (03 00). Chunks can therefore be compressed in any order or in parallel and
// a part's compressed size is known after every chunk, on both backends alike.
import { constants as bufferConstants } from 'node:buffer';
import { AuditcastError, badParameter, type ErrorCode } from '../errors.js';

// The seed's wire numbers (ProtoStreamV1, ProtoStreamV1PartHeaderSize, ProtoStreamV1RecordHeaderSize,
// MaxProtoMessageSizeBytes): the codec sits below lib/events and cannot import the generated
// constants, so test/codec/part-format-constants.test.ts holds these equal to them.
export const PROTO_STREAM_V1 = 1;
export const PROTO_STREAM_V2 = 2;
export const PART_HEADER_SIZE = 24;
export const RECORD_HEADER_SIZE = 4;
/** MaxProtoMessageSizeBytes: the largest OneOf record. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** Raw bytes staged before a chunk is compressed. */
export const CHUNK_BYTES = 64 * 1024;
/** Go's gzip header at BestSpeed: no mtime, XFL 4, OS unknown (255). */
export const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x04, 0xff);
/** An empty final static deflate block: ends a stream built from sync-flushed chunks. */
export const DEFLATE_END = Uint8Array.of(0x03, 0x00);
export const GZIP_TRAILER_SIZE = 8;
/**
 * The memory one part may take while it is read, by default: its compressed bytes, its inflated
 * records and their bounds (BOUND_BYTES_PER_RECORD each). Teleport's parts are 5 MiB compressed;
 * terminal output inflates 3-10x, so 64 MiB reads them with room to spare, and a hostile part
 * (tiny records, gzipped zeros) is refused before it allocates more.
 */
export const DEFAULT_MAX_PART_BYTES = 64 * 1024 * 1024;
/** Largest inflated part accepted by default (within the part budget as well). */
export const DEFAULT_MAX_INFLATED_PART_BYTES = DEFAULT_MAX_PART_BYTES;
/** Memory of one record's [start, end) bounds: two uint32. */
export const BOUND_BYTES_PER_RECORD = 8;

/** What reading a part costs against maxPartBytes: its gzip member, inflated records and their bounds. */
export function partReadCost(gzipBytes: number, inflatedBytes: number, records: number): number {
  return gzipBytes + inflatedBytes + records * BOUND_BYTES_PER_RECORD;
}

/**
 * ProtoStream also cuts a part once its partReadCost reaches this, so highly compressible output
 * (`yes`, `seq`, a repeated screen: deflate ratios far over 10x) never makes a part our own reader
 * refuses by default. The chunk that crosses it adds at most CHUNK_BYTES plus one record (< 128 KiB)
 * inflated, about as much compressed (stored blocks at worst) and, with records of at least 5 bytes,
 * < 210 KiB of bounds: under 1 MiB in all, the margin left here. Ordinary terminal output reaches
 * the 5 MiB compressed part size long before (it would need a ratio over ~10x), so its parts are
 * cut exactly where they were.
 */
export const WRITTEN_PART_MAX_READ_COST = DEFAULT_MAX_PART_BYTES - 1024 * 1024;

/** Failure statuses of section decoding; the native core returns the same numbers. */
export const enum SectionStatus {
  OK = 0,
  BAD_GZIP_HEADER = 1,
  BAD_DEFLATE_DATA = 2,
  TRUNCATED_GZIP = 3,
  CRC_MISMATCH = 4,
  SIZE_MISMATCH = 5,
  INFLATE_LIMIT = 6,
  RECORD_LENGTH_ZERO = 7,
  RECORD_TOO_LARGE = 8,
  RECORD_TRUNCATED = 9,
  /** The records and their bounds need more memory than the limit (offset: bytes needed). */
  RECORDS_OVER_LIMIT = 10,
  /** The native backend could not allocate (a status, never a crash or a plain Error). */
  OUT_OF_MEMORY = 100,
}

/**
 * The one place section failures become errors, so both backends give the same code and text.
 * `offset` is into the gzip section (header/deflate statuses) or into the inflated records.
 */
export function sectionError(status: number, offset: number, value = 0): AuditcastError {
  let code: ErrorCode = 'CORRUPTED';
  let text: string;
  switch (status) {
    case SectionStatus.BAD_GZIP_HEADER: text = `invalid gzip header at byte ${offset} of the part data`; break;
    case SectionStatus.BAD_DEFLATE_DATA: text = `invalid deflate data in the part data (gzip member starts at byte ${offset})`; break;
    case SectionStatus.TRUNCATED_GZIP: text = `gzip data truncated at byte ${offset} of the part data`; break;
    case SectionStatus.CRC_MISMATCH: text = `gzip checksum mismatch at byte ${offset} of the part data`; break;
    case SectionStatus.SIZE_MISMATCH: text = `gzip length mismatch at byte ${offset} of the part data (inflated ${value} bytes)`; break;
    case SectionStatus.INFLATE_LIMIT:
      code = 'LIMIT_EXCEEDED';
      text = `part inflates to more than ${value} bytes (maxPartBytes)`;
      break;
    case SectionStatus.RECORD_LENGTH_ZERO: text = `unexpected message size 0 at byte ${offset} of the inflated part`; break;
    case SectionStatus.RECORD_TOO_LARGE: text = `record size ${value} exceeds max message size of ${MAX_RECORD_BYTES} bytes at byte ${offset} of the inflated part`; break;
    case SectionStatus.RECORD_TRUNCATED: text = `record truncated at byte ${offset} of the inflated part`; break;
    case SectionStatus.RECORDS_OVER_LIMIT:
      code = 'LIMIT_EXCEEDED';
      text = `part needs ${offset} bytes for its records and their bounds, more than ${value} bytes (maxPartBytes)`;
      break;
    case SectionStatus.OUT_OF_MEMORY:
      code = 'LIMIT_EXCEEDED';
      text = 'out of memory while inflating the part';
      break;
    default: text = `unknown section status ${status}`;
  }
  return new AuditcastError(code, text);
}

/** Checks PartEncoder.finish's padTo the same way on both backends. */
export function checkPadTo(padTo: number): void {
  if (!Number.isSafeInteger(padTo) || padTo < 0) throw badParameter(`padTo must be a non-negative integer, got ${padTo}`);
}

/** Checks InflateLimits the same way on both backends. */
export function checkInflateLimits(limits: { maxInflatedBytes: number }): void {
  const max = limits?.maxInflatedBytes;
  if (!Number.isSafeInteger(max) || max < 0 || max > bufferConstants.MAX_LENGTH) {
    throw badParameter(`maxInflatedBytes must be an integer from 0 to ${bufferConstants.MAX_LENGTH}, got ${max}`);
  }
}

/** Writes the 24-byte part header into `out` at `at`. */
export function writePartHeader(out: Uint8Array, at: number, partSize: number, paddingSize: number, version = PROTO_STREAM_V1): void {
  const view = new DataView(out.buffer, out.byteOffset + at, PART_HEADER_SIZE);
  view.setBigUint64(0, BigInt(version));
  view.setBigUint64(8, BigInt(partSize));
  view.setBigUint64(16, BigInt(paddingSize));
}

/** Length of a gzip member header starting at `at`, or -1 when it is invalid, -2 when truncated. */
export function gzipHeaderLength(data: Uint8Array, at = 0): number {
  const end = data.length;
  if (end - at < 10) return isMagicPrefix(data, at) ? -2 : -1;
  if (data[at] !== 0x1f || data[at + 1] !== 0x8b || data[at + 2] !== 8) return -1;
  const flags = data[at + 3];
  if (flags & 0xe0) return -1;
  let pos = at + 10;
  if (flags & 0x04) {
    if (pos + 2 > end) return -2;
    const xlen = data[pos] | (data[pos + 1] << 8);
    pos += 2 + xlen;
    if (pos > end) return -2;
  }
  for (const bit of [0x08, 0x10]) {
    if (flags & bit) {
      while (pos < end && data[pos] !== 0) pos++;
      if (pos >= end) return -2;
      pos++;
    }
  }
  if (flags & 0x02) {
    pos += 2;
    if (pos > end) return -2;
  }
  return pos - at;
}

/** True when the bytes from `at` (fewer than a full header) could still start a gzip member. */
function isMagicPrefix(data: Uint8Array, at: number): boolean {
  for (let i = 0; i < 3 && at + i < data.length; i++) if (data[at + i] !== GZIP_HEADER[i]) return false;
  return true;
}

/**
 * Splits inflated records into [start, end) pairs of their OneOf bodies. Throws the section error
 * for a zero length, an oversized length or a truncated record, and LIMIT_EXCEEDED when the
 * records plus their bounds need more than `maxBytes` (checked before the bounds are allocated).
 */
export function splitRecords(data: Uint8Array, maxBytes = Infinity): Uint32Array {
  const end = data.length;
  let count = 0;
  let pos = 0;
  while (pos < end) {
    if (end - pos < RECORD_HEADER_SIZE) throw sectionError(SectionStatus.RECORD_TRUNCATED, pos);
    const length = ((data[pos] << 24) | (data[pos + 1] << 16) | (data[pos + 2] << 8) | data[pos + 3]) >>> 0;
    if (length === 0) throw sectionError(SectionStatus.RECORD_LENGTH_ZERO, pos);
    if (length > MAX_RECORD_BYTES) throw sectionError(SectionStatus.RECORD_TOO_LARGE, pos, length);
    if (length > end - pos - RECORD_HEADER_SIZE) throw sectionError(SectionStatus.RECORD_TRUNCATED, pos);
    count++;
    pos += RECORD_HEADER_SIZE + length;
  }
  const needed = end + count * BOUND_BYTES_PER_RECORD;
  if (needed > maxBytes) throw sectionError(SectionStatus.RECORDS_OVER_LIMIT, needed, maxBytes);
  const bounds = new Uint32Array(count * 2);
  pos = 0;
  for (let i = 0; i < count * 2; i += 2) {
    const length = ((data[pos] << 24) | (data[pos + 1] << 16) | (data[pos + 2] << 8) | data[pos + 3]) >>> 0;
    bounds[i] = pos + RECORD_HEADER_SIZE;
    bounds[i + 1] = pos + RECORD_HEADER_SIZE + length;
    pos += RECORD_HEADER_SIZE + length;
  }
  return bounds;
}
