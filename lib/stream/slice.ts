// The two halves of writing a part. ChunkStager frames records into the chunk being filled (one
// per stream); Slice is the part being assembled from compressed chunks. Chunks are cut at
// CHUNK_BYTES whatever part they end up in, so a chunk can be compressed before the stream knows
// which part it belongs to (parallel compression; see ProtoStream).
import { badParameter } from '../errors.js';
import type { DeflatedChunk, PartEncoder, SliceCodec } from '../codec/codec.js';
import {
  CHUNK_BYTES, DEFLATE_END, GZIP_TRAILER_SIZE, MAX_RECORD_BYTES, RECORD_HEADER_SIZE, partReadCost,
} from '../codec/part-format.js';
import type { AuditEventInput } from '../events/event.js';
import { writeEvent } from '../events/oneof.js';
import { WireWriter } from '../wire/wire-writer.js';

/** Shrinks an event to fit `maxSize` bytes (see trimToMaxSize); returns it unchanged when it cannot. */
export type EventTrimmer = (event: AuditEventInput, maxSize: number) => AuditEventInput;

/** Room for the OneOf tag and length around an event of MAX_RECORD_BYTES. */
const ONEOF_OVERHEAD = 8;
/**
 * A stream starts with a small staging buffer (many idle sessions) and grows it to a chunk, by
 * doubling: from this size the doublings land just above a chunk (68 KiB), so a chunk of small
 * records never needs a buffer twice its size (500 sessions: 64 MiB less).
 */
const FIRST_STAGING_BYTES = (CHUNK_BYTES + 4096) / 8;

/** The records of one chunk: how many and the highest event index among them. */
export interface ChunkRecords {
  readonly events: number;
  readonly maxIndex: number;
}

export interface StagedChunk extends ChunkRecords {
  readonly bytes: Uint8Array;
}

export class ChunkStager {
  private staging = new WireWriter(FIRST_STAGING_BYTES);
  /** A whole chunk of records framed elsewhere, kept as it is rather than copied (see addFramed). */
  private borrowed: Uint8Array | null = null;
  events = 0;
  private maxIndex = -1;

  /** Raw bytes staged. */
  get bytes(): number {
    return this.borrowed ? this.borrowed.length : this.staging.pos;
  }

  get isEmpty(): boolean {
    return this.events === 0;
  }

  /** The chunk is full: it must be taken before more records are added. */
  get isFull(): boolean {
    return this.bytes >= CHUNK_BYTES;
  }

  /** Frames one event; returns true when it had to be trimmed. Throws BAD_PARAMETER when it cannot fit a record. */
  add(event: AuditEventInput, trim: EventTrimmer | undefined): boolean {
    let trimmed = false;
    if (!this.frame(event)) {
      const smaller = trim?.(event, MAX_RECORD_BYTES - ONEOF_OVERHEAD);
      if (!smaller || smaller === event || !this.frame(smaller)) {
        throw badParameter(`record size exceeds max message size of ${MAX_RECORD_BYTES} bytes (event ${event.Metadata?.Type ?? ''} index ${event.Metadata?.Index ?? ''})`);
      }
      trimmed = true;
    }
    const index = event.Metadata?.Index ?? 0;
    if (index > this.maxIndex) this.maxIndex = index;
    this.events++;
    return trimmed;
  }

  /**
   * Appends `count` records framed elsewhere (the print fast path) whose highest index is
   * `maxIndex`. Records that make a whole chunk on their own are kept without a copy: the caller
   * must not change them.
   */
  addFramed(framed: Uint8Array, count: number, maxIndex: number): void {
    if (this.staging.pos === 0 && framed.length >= CHUNK_BYTES) this.borrowed = framed;
    else this.staging.rawBytes(framed);
    if (maxIndex > this.maxIndex) this.maxIndex = maxIndex;
    this.events += count;
  }

  /** The staged chunk as a view of the staging buffer, valid until the next add; then starts a new chunk. */
  takeView(): StagedChunk {
    const chunk = { bytes: this.borrowed ?? this.staging.buf.subarray(0, this.staging.pos), events: this.events, maxIndex: this.maxIndex };
    this.staging.reset();
    this.clear();
    return chunk;
  }

  /** The staged chunk in memory of its own (to compress while more records are staged). */
  takeOwned(): StagedChunk {
    const full = this.staging;
    const chunk = { bytes: this.borrowed ?? full.buf.subarray(0, full.pos), events: this.events, maxIndex: this.maxIndex };
    if (!this.borrowed) this.staging = new WireWriter(full.buf.length);
    this.clear();
    return chunk;
  }

  private clear(): void {
    this.borrowed = null;
    this.events = 0;
    this.maxIndex = -1;
  }

  private frame(event: AuditEventInput): boolean {
    const w = this.staging;
    const start = w.pos;
    w.ensure(RECORD_HEADER_SIZE);
    w.pos += RECORD_HEADER_SIZE;
    writeEvent(w, event);
    const length = w.pos - start - RECORD_HEADER_SIZE;
    if (length > MAX_RECORD_BYTES) {
      w.pos = start;
      return false;
    }
    w.buf.writeUInt32BE(length, start);
    return true;
  }
}

/** One part being assembled: compressed chunks in order, finished into header + gzip member + padding. */
export class Slice {
  private readonly encoder: PartEncoder;
  lastEventIndex = -1;
  events = 0;

  constructor(codec: SliceCodec, readonly partNumber: number) {
    this.encoder = codec.createPartEncoder();
  }

  get isEmpty(): boolean {
    return this.events === 0;
  }

  /** Gzip header plus every chunk so far. */
  get compressedBytes(): number {
    return this.encoder.compressedBytes;
  }

  /** What reading the part finished now would cost (see partReadCost). */
  get readCost(): number {
    const gzipBytes = this.encoder.compressedBytes + DEFLATE_END.length + GZIP_TRAILER_SIZE;
    return partReadCost(gzipBytes, this.encoder.rawBytes, this.events);
  }

  /** Compresses a chunk here and appends it. */
  addChunk(chunk: StagedChunk): void {
    if (chunk.events === 0) return;
    this.encoder.addChunk(chunk.bytes);
    this.count(chunk);
  }

  /** Appends a chunk compressed elsewhere. */
  addDeflated(deflated: DeflatedChunk, records: ChunkRecords): void {
    if (records.events === 0) return;
    this.encoder.addDeflated(deflated);
    this.count(records);
  }

  finish(padTo: number): Uint8Array {
    return this.encoder.finish(padTo);
  }

  private count(records: ChunkRecords): void {
    if (records.maxIndex > this.lastEventIndex) this.lastEventIndex = records.maxIndex;
    this.events += records.events;
  }
}
