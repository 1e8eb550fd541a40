// Prints kept compactly until they are recorded: a SessionWriter keeps every print not yet
// acknowledged as uploaded (to send again after a failure), and a PrintBatch's 8 numbers per print
// would be 64 bytes for each one-byte keystroke (500 sessions at once: gigabytes). Here a print is
// its data plus a 16-bit length; its numbers live in segments, one per run of prints whose index,
// chunk index and offset follow on from the previous print and which share time and delay (a
// stamped write, and consecutive writes within one millisecond, make one segment).
// batch() expands the numbers into a PrintBatch for the framer when the run is sent.
import { badParameter } from '../errors.js';
import type { PrintBatch, PrintStrings } from './codec.js';
import { PRINT_FIELDS, PrintField } from './print-batch.js';
import type { PrintSink } from './print-batch-builder.js';

/** Numbers per segment in `segments`. */
const SEGMENT_FIELDS = 7;
const enum Segment {
  Count = 0,
  Index = 1,
  ChunkIndex = 2,
  Offset = 3,
  DelayMilliseconds = 4,
  TimeSeconds = 5,
  TimeNanos = 6,
}

const MAX_PRINT_BYTES = 0xffff;
const FIRST_PRINTS = 64;
/** seal() copies a run's data to drop its spare room only below this size. */
const SEAL_COPY_MAX_BYTES = 64 * 1024;

export class CompactPrintRun implements PrintSink {
  /** Prints so far. */
  count = 0;
  private data: Buffer;
  /** Bytes of print data held. */
  dataBytes = 0;
  private lengths: Uint16Array;
  private segments: Float64Array;
  private segmentCount = 0;
  // What the next print must be to continue the last segment.
  private nextIndex = NaN;
  private nextChunkIndex = NaN;
  private nextOffset = NaN;

  constructor(readonly strings: PrintStrings, prints = FIRST_PRINTS) {
    this.data = Buffer.allocUnsafe(Math.max(16, prints));
    this.lengths = new Uint16Array(Math.max(1, prints));
    this.segments = new Float64Array(4 * SEGMENT_FIELDS);
  }

  /** Appends one print (its data copied); same arguments as PrintBatchBuilder.push. */
  push(data: Uint8Array, index: number, chunkIndex: number, delayMs: number, offset: number, seconds: number, nanos: number): void {
    const length = data.length;
    if (length > MAX_PRINT_BYTES) throw badParameter(`a compact print run holds prints of at most ${MAX_PRINT_BYTES} bytes, got ${length}`);
    if (this.count === this.lengths.length) this.lengths = grown(this.lengths, this.count * 2);
    this.lengths[this.count++] = length;
    if (this.dataBytes + length > this.data.length) {
      const next = Buffer.allocUnsafe(Math.max(this.dataBytes + length, this.data.length * 2));
      next.set(this.data.subarray(0, this.dataBytes));
      this.data = next;
    }
    // One byte (a keystroke's echo) is stored directly: set() costs more than the copy.
    if (length === 1) this.data[this.dataBytes] = data[0];
    else this.data.set(data, this.dataBytes);
    this.dataBytes += length;
    const s = this.segments;
    const last = (this.segmentCount - 1) * SEGMENT_FIELDS;
    if (index === this.nextIndex && chunkIndex === this.nextChunkIndex && offset === this.nextOffset
      && delayMs === s[last + Segment.DelayMilliseconds] && seconds === s[last + Segment.TimeSeconds] && nanos === s[last + Segment.TimeNanos]) {
      s[last + Segment.Count]++;
    } else {
      this.addSegment(index, chunkIndex, offset, delayMs, seconds, nanos);
    }
    this.nextIndex = index + 1;
    this.nextChunkIndex = chunkIndex + 1;
    this.nextOffset = offset + length;
  }

  /**
   * Appends the prints of `other` (copied), as if each had been pushed: a writer keeps the runs it
   * sent in one run rather than an object (and three arrays) per run.
   */
  append(other: CompactPrintRun): void {
    if (other.count === 0) return;
    if (this.count + other.count > this.lengths.length) this.lengths = grown(this.lengths, Math.max(this.count + other.count, this.lengths.length * 2));
    this.lengths.set(other.lengths.subarray(0, other.count), this.count);
    this.count += other.count;
    if (this.dataBytes + other.dataBytes > this.data.length) {
      const next = Buffer.allocUnsafe(Math.max(this.dataBytes + other.dataBytes, this.data.length * 2));
      next.set(this.data.subarray(0, this.dataBytes));
      this.data = next;
    }
    this.data.set(other.data.subarray(0, other.dataBytes), this.dataBytes);
    this.dataBytes += other.dataBytes;
    const o = other.segments;
    let from = 0;
    const last = (this.segmentCount - 1) * SEGMENT_FIELDS;
    const s = this.segments;
    if (o[Segment.Index] === this.nextIndex && o[Segment.ChunkIndex] === this.nextChunkIndex && o[Segment.Offset] === this.nextOffset
      && o[Segment.DelayMilliseconds] === s[last + Segment.DelayMilliseconds] && o[Segment.TimeSeconds] === s[last + Segment.TimeSeconds]
      && o[Segment.TimeNanos] === s[last + Segment.TimeNanos]) {
      s[last + Segment.Count] += o[Segment.Count];
      from = SEGMENT_FIELDS;
    }
    const added = other.segmentCount * SEGMENT_FIELDS - from;
    const used = this.segmentCount * SEGMENT_FIELDS;
    if (used + added > this.segments.length) this.segments = grown(this.segments, Math.max(used + added, this.segments.length * 2));
    this.segments.set(o.subarray(from, other.segmentCount * SEGMENT_FIELDS), used);
    this.segmentCount += added / SEGMENT_FIELDS;
    this.nextIndex = other.nextIndex;
    this.nextChunkIndex = other.nextChunkIndex;
    this.nextOffset = other.nextOffset;
  }

  /** Index of the first print (-1 when empty). */
  get firstIndex(): number {
    return this.segmentCount === 0 ? -1 : this.segments[Segment.Index];
  }

  /** Index of the last print (-1 when empty). */
  get lastIndex(): number {
    return this.count === 0 ? -1 : this.nextIndex - 1;
  }

  /**
   * Drops spare room: the run is complete and may be kept a while (push no more after it). The data
   * of a big run (bulk output) keeps its room, at most as much again as it holds: copying megabytes
   * per pump turn cost more than the rest of the writer, and such runs are few.
   */
  seal(): void {
    if (this.data.length > this.dataBytes + 64 && this.dataBytes < SEAL_COPY_MAX_BYTES) this.data = Buffer.from(this.data.subarray(0, this.dataBytes));
    if (this.lengths.length > this.count + 16) this.lengths = this.lengths.slice(0, this.count);
    const used = this.segmentCount * SEGMENT_FIELDS;
    if (this.segments.length > used + 4 * SEGMENT_FIELDS) this.segments = this.segments.slice(0, used);
  }

  /** The prints as a PrintBatch (numbers expanded; data shared with the run). */
  batch(): PrintBatch {
    const numbers = new Float64Array(this.count * PRINT_FIELDS);
    const { lengths, segments } = this;
    let print = 0;
    for (let seg = 0; seg < this.segmentCount * SEGMENT_FIELDS; seg += SEGMENT_FIELDS) {
      const count = segments[seg + Segment.Count];
      const index = segments[seg + Segment.Index];
      const chunkIndex = segments[seg + Segment.ChunkIndex];
      const delay = segments[seg + Segment.DelayMilliseconds];
      const seconds = segments[seg + Segment.TimeSeconds];
      const nanos = segments[seg + Segment.TimeNanos];
      let offset = segments[seg + Segment.Offset];
      for (let k = 0; k < count; k++, print++) {
        const n = print * PRINT_FIELDS;
        const length = lengths[print];
        numbers[n + PrintField.DataLength] = length;
        numbers[n + PrintField.Index] = index + k;
        numbers[n + PrintField.ChunkIndex] = chunkIndex + k;
        numbers[n + PrintField.Bytes] = length;
        numbers[n + PrintField.DelayMilliseconds] = delay;
        numbers[n + PrintField.Offset] = offset;
        numbers[n + PrintField.TimeSeconds] = seconds;
        numbers[n + PrintField.TimeNanos] = nanos;
        offset += length;
      }
    }
    return { data: this.data.subarray(0, this.dataBytes), numbers, strings: this.strings };
  }

  /** The prints whose index is above `lastIndex`, sharing this run's memory (a sealed run). */
  after(lastIndex: number): CompactPrintRun {
    const { segments } = this;
    let print = 0;
    let dataStart = 0;
    for (let seg = 0; seg < this.segmentCount * SEGMENT_FIELDS; seg += SEGMENT_FIELDS) {
      const count = segments[seg + Segment.Count];
      const index = segments[seg + Segment.Index];
      if (index + count - 1 <= lastIndex) {
        for (let k = 0; k < count; k++) dataStart += this.lengths[print + k];
        print += count;
        continue;
      }
      // Prints of this segment up to lastIndex are dropped (indices in a segment run on by one).
      const skip = Math.max(0, lastIndex - index + 1);
      let skipped = 0;
      for (let k = 0; k < skip; k++) skipped += this.lengths[print + k];
      const rest = new CompactPrintRun(this.strings, 1);
      rest.count = this.count - print - skip;
      rest.data = this.data.subarray(dataStart + skipped, this.dataBytes);
      rest.dataBytes = this.dataBytes - dataStart - skipped;
      rest.lengths = this.lengths.subarray(print + skip, this.count);
      rest.segments = segments.slice(seg, this.segmentCount * SEGMENT_FIELDS);
      rest.segmentCount = this.segmentCount - seg / SEGMENT_FIELDS;
      rest.segments[Segment.Count] = count - skip;
      rest.segments[Segment.Index] = index + skip;
      rest.segments[Segment.ChunkIndex] += skip;
      rest.segments[Segment.Offset] += skipped;
      rest.nextIndex = this.nextIndex;
      rest.nextChunkIndex = this.nextChunkIndex;
      rest.nextOffset = this.nextOffset;
      return rest;
    }
    return new CompactPrintRun(this.strings, 1);
  }

  private addSegment(index: number, chunkIndex: number, offset: number, delayMs: number, seconds: number, nanos: number): void {
    const at = this.segmentCount * SEGMENT_FIELDS;
    if (at + SEGMENT_FIELDS > this.segments.length) this.segments = grown(this.segments, this.segments.length * 2);
    const s = this.segments;
    s[at + Segment.Count] = 1;
    s[at + Segment.Index] = index;
    s[at + Segment.ChunkIndex] = chunkIndex;
    s[at + Segment.Offset] = offset;
    s[at + Segment.DelayMilliseconds] = delayMs;
    s[at + Segment.TimeSeconds] = seconds;
    s[at + Segment.TimeNanos] = nanos;
    this.segmentCount++;
  }
}

function grown<T extends Uint16Array | Float64Array>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}
