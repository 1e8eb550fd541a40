// One part being written: framed records are staged, compressed chunk by chunk, and finished into
// header + gzip member + padding by the codec.
import { badParameter } from '../errors.js';
import type { PartEncoder, SliceCodec } from '../codec/codec.js';
import { CHUNK_BYTES, MAX_RECORD_BYTES, RECORD_HEADER_SIZE } from '../codec/part-format.js';
import type { AuditEventInput } from '../events/event.js';
import { writeEvent } from '../events/oneof.js';
import { WireWriter } from '../wire/wire-writer.js';

/** Shrinks an event to fit `maxSize` bytes (see trimToMaxSize); returns it unchanged when it cannot. */
export type EventTrimmer = (event: AuditEventInput, maxSize: number) => AuditEventInput;

/** Room for the OneOf tag and length around an event of MAX_RECORD_BYTES. */
const ONEOF_OVERHEAD = 8;

export class Slice {
  readonly encoder: PartEncoder;
  private readonly staging = new WireWriter(CHUNK_BYTES + MAX_RECORD_BYTES + 64);
  lastEventIndex = -1;
  events = 0;
  trimmed = 0;

  constructor(codec: SliceCodec, readonly partNumber: number, private readonly trim?: EventTrimmer) {
    this.encoder = codec.createPartEncoder();
  }

  get isEmpty(): boolean {
    return this.events === 0;
  }

  /** Raw bytes waiting to be compressed. */
  get stagedBytes(): number {
    return this.staging.pos;
  }

  /** Frames one event. Throws BAD_PARAMETER when it cannot be made to fit a record. */
  add(event: AuditEventInput): void {
    if (!this.frame(event)) {
      const trimmed = this.trim?.(event, MAX_RECORD_BYTES - ONEOF_OVERHEAD);
      if (!trimmed || trimmed === event || !this.frame(trimmed)) {
        throw badParameter(`record size exceeds max message size of ${MAX_RECORD_BYTES} bytes (event ${event.Metadata?.Type ?? ''} index ${event.Metadata?.Index ?? ''})`);
      }
      this.trimmed++;
    }
    const index = event.Metadata?.Index ?? 0;
    if (index > this.lastEventIndex) this.lastEventIndex = index;
    this.events++;
    if (this.staging.pos >= CHUNK_BYTES) this.compressStaged();
  }

  /**
   * Appends records framed elsewhere (the print fast path): `count` records whose highest index is
   * `maxIndex`. The caller cuts runs at the same points add() would compress, so a batch writes
   * the same bytes as the same events added one by one.
   */
  addFramed(framed: Uint8Array, count: number, maxIndex: number): void {
    this.staging.rawBytes(framed);
    if (maxIndex > this.lastEventIndex) this.lastEventIndex = maxIndex;
    this.events += count;
    if (this.staging.pos >= CHUNK_BYTES) this.compressStaged();
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

  /** Compresses whatever is staged. */
  compressStaged(): void {
    if (this.staging.pos === 0) return;
    this.encoder.addChunk(this.staging.buf.subarray(0, this.staging.pos));
    this.staging.reset();
  }

  finish(padTo: number): Uint8Array {
    this.compressStaged();
    return this.encoder.finish(padTo);
  }
}
