// Prints kept compactly until they are recorded: a SessionWriter keeps every print not yet
// acknowledged as uploaded (to send again after a failure), and a PrintBatch's 8 numbers per print
// would be 64 bytes for each one-byte keystroke (500 sessions at once: gigabytes). Here a print is
// its data, a 16-bit length and an 8-bit time gap; its numbers live in segments, one per run of
// prints whose index, chunk index and offset follow on from the previous print and whose time and
// delay both advance by the same whole milliseconds, at most MAX_GAP_MS (Teleport's preparer adds
// the time since the last print to the delay, so a session typing at a human pace makes one segment
// per pause rather than one per keystroke: 500 sessions kept 70 MB of segments for 12k keystrokes
// each before this, with a segment of 7 numbers per print).
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
/** The longest time step between two prints of a segment (an 8-bit gap). */
const MAX_GAP_MS = 0xff;
const FIRST_PRINTS = 64;
/** seal() copies a run's data to drop its spare room only below this size. */
const SEAL_COPY_MAX_BYTES = 64 * 1024;
const NANOS_PER_SECOND = 1e9;
const NANOS_PER_MS = 1e6;

export class CompactPrintRun implements PrintSink {
  /** Prints so far. */
  count = 0;
  private data: Buffer;
  /** Bytes of print data held. */
  dataBytes = 0;
  private lengths: Uint16Array;
  /** Per print: milliseconds since the previous print of its segment (0 for a segment's first). */
  private gaps: Uint8Array;
  private segments: Float64Array;
  private segmentCount = 0;
  // What the next print must be to continue the last segment.
  private nextIndex = NaN;
  private nextChunkIndex = NaN;
  private nextOffset = NaN;
  // The last print's time and delay.
  private lastSeconds = NaN;
  private lastNanos = NaN;
  private lastDelay = NaN;

  constructor(readonly strings: PrintStrings, prints = FIRST_PRINTS) {
    this.data = Buffer.allocUnsafe(Math.max(16, prints));
    this.lengths = new Uint16Array(Math.max(1, prints));
    this.gaps = new Uint8Array(Math.max(1, prints));
    this.segments = new Float64Array(4 * SEGMENT_FIELDS);
  }

  /** Appends one print (its data copied); same arguments as PrintBatchBuilder.push. */
  push(data: Uint8Array, index: number, chunkIndex: number, delayMs: number, offset: number, seconds: number, nanos: number): void {
    const length = data.length;
    if (length > MAX_PRINT_BYTES) throw badParameter(`a compact print run holds prints of at most ${MAX_PRINT_BYTES} bytes, got ${length}`);
    if (this.count === this.lengths.length) {
      this.lengths = grown(this.lengths, this.count * 2);
      this.gaps = grown(this.gaps, this.count * 2);
    }
    const gap = index === this.nextIndex && chunkIndex === this.nextChunkIndex && offset === this.nextOffset
      ? gapBetween(this.lastSeconds, this.lastNanos, this.lastDelay, seconds, nanos, delayMs) : -1;
    this.gaps[this.count] = gap > 0 ? gap : 0;
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
    if (gap >= 0) this.segments[(this.segmentCount - 1) * SEGMENT_FIELDS + Segment.Count]++;
    else this.addSegment(index, chunkIndex, offset, delayMs, seconds, nanos);
    this.nextIndex = index + 1;
    this.nextChunkIndex = chunkIndex + 1;
    this.nextOffset = offset + length;
    this.lastSeconds = seconds;
    this.lastNanos = nanos;
    this.lastDelay = delayMs;
  }

  /**
   * Appends the prints of `other` (copied), as if each had been pushed: a writer keeps the runs it
   * sent in one run rather than an object (and three arrays) per run.
   */
  append(other: CompactPrintRun): void {
    if (other.count === 0) return;
    if (this.count + other.count > this.lengths.length) {
      const length = Math.max(this.count + other.count, this.lengths.length * 2);
      this.lengths = grown(this.lengths, length);
      this.gaps = grown(this.gaps, length);
    }
    const at = this.count;
    this.lengths.set(other.lengths.subarray(0, other.count), at);
    this.gaps.set(other.gaps.subarray(0, other.count), at);
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
    const gap = o[Segment.Index] === this.nextIndex && o[Segment.ChunkIndex] === this.nextChunkIndex && o[Segment.Offset] === this.nextOffset
      ? gapBetween(this.lastSeconds, this.lastNanos, this.lastDelay, o[Segment.TimeSeconds], o[Segment.TimeNanos], o[Segment.DelayMilliseconds]) : -1;
    if (gap >= 0) {
      this.segments[(this.segmentCount - 1) * SEGMENT_FIELDS + Segment.Count] += o[Segment.Count];
      this.gaps[at] = gap;
      from = SEGMENT_FIELDS;
    }
    const s = this.segments;
    const added = other.segmentCount * SEGMENT_FIELDS - from;
    const used = this.segmentCount * SEGMENT_FIELDS;
    if (used + added > this.segments.length) this.segments = grown(this.segments, Math.max(used + added, this.segments.length * 2));
    this.segments.set(o.subarray(from, other.segmentCount * SEGMENT_FIELDS), used);
    this.segmentCount += added / SEGMENT_FIELDS;
    this.nextIndex = other.nextIndex;
    this.nextChunkIndex = other.nextChunkIndex;
    this.nextOffset = other.nextOffset;
    this.lastSeconds = other.lastSeconds;
    this.lastNanos = other.lastNanos;
    this.lastDelay = other.lastDelay;
  }

  /**
   * Empties the run for new prints, keeping its arrays (a writer reuses a run it has appended to
   * another). Its data is not reused: batches handed out before may still view it.
   */
  clear(): void {
    this.count = 0;
    this.data = Buffer.allocUnsafe(Math.max(16, Math.min(this.dataBytes, this.lengths.length)));
    this.dataBytes = 0;
    this.segmentCount = 0;
    this.nextIndex = NaN;
    this.nextChunkIndex = NaN;
    this.nextOffset = NaN;
    this.lastSeconds = NaN;
    this.lastNanos = NaN;
    this.lastDelay = NaN;
  }

  /** Bytes of memory the run holds (its data, lengths, gaps and segments). */
  get retainedBytes(): number {
    return this.data.byteLength + this.lengths.byteLength + this.gaps.byteLength + this.segments.byteLength;
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
    if (this.lengths.length > this.count + 16) {
      this.lengths = this.lengths.slice(0, this.count);
      this.gaps = this.gaps.slice(0, this.count);
    }
    const used = this.segmentCount * SEGMENT_FIELDS;
    if (this.segments.length > used + 4 * SEGMENT_FIELDS) this.segments = this.segments.slice(0, used);
  }

  /** The prints as a PrintBatch (numbers expanded; data shared with the run). */
  batch(): PrintBatch {
    const numbers = new Float64Array(this.count * PRINT_FIELDS);
    const { lengths, gaps, segments } = this;
    let print = 0;
    for (let seg = 0; seg < this.segmentCount * SEGMENT_FIELDS; seg += SEGMENT_FIELDS) {
      const count = segments[seg + Segment.Count];
      const index = segments[seg + Segment.Index];
      const chunkIndex = segments[seg + Segment.ChunkIndex];
      let delay = segments[seg + Segment.DelayMilliseconds];
      let seconds = segments[seg + Segment.TimeSeconds];
      let nanos = segments[seg + Segment.TimeNanos];
      let offset = segments[seg + Segment.Offset];
      for (let k = 0; k < count; k++, print++) {
        const n = print * PRINT_FIELDS;
        const length = lengths[print];
        const gap = k === 0 ? 0 : gaps[print];
        if (gap !== 0) {
          // The same steps as gapBetween checked.
          delay += gap;
          nanos += gap * NANOS_PER_MS;
          if (nanos >= NANOS_PER_SECOND) {
            nanos -= NANOS_PER_SECOND;
            seconds++;
          }
        }
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
      let delay = segments[seg + Segment.DelayMilliseconds];
      let seconds = segments[seg + Segment.TimeSeconds];
      let nanos = segments[seg + Segment.TimeNanos];
      for (let k = 0; k < skip; k++) skipped += this.lengths[print + k];
      // The first print kept starts the segment: its time and delay, stepped as batch() does.
      for (let k = 1; k <= skip; k++) {
        const gap = this.gaps[print + k];
        if (gap === 0) continue;
        delay += gap;
        nanos += gap * NANOS_PER_MS;
        if (nanos >= NANOS_PER_SECOND) {
          nanos -= NANOS_PER_SECOND;
          seconds++;
        }
      }
      const rest = new CompactPrintRun(this.strings, 1);
      rest.count = this.count - print - skip;
      rest.data = this.data.subarray(dataStart + skipped, this.dataBytes);
      rest.dataBytes = this.dataBytes - dataStart - skipped;
      rest.lengths = this.lengths.subarray(print + skip, this.count);
      rest.gaps = this.gaps.subarray(print + skip, this.count);
      rest.segments = segments.slice(seg, this.segmentCount * SEGMENT_FIELDS);
      rest.segmentCount = this.segmentCount - seg / SEGMENT_FIELDS;
      rest.segments[Segment.Count] = count - skip;
      rest.segments[Segment.Index] = index + skip;
      rest.segments[Segment.ChunkIndex] += skip;
      rest.segments[Segment.Offset] += skipped;
      rest.segments[Segment.DelayMilliseconds] = delay;
      rest.segments[Segment.TimeSeconds] = seconds;
      rest.segments[Segment.TimeNanos] = nanos;
      rest.nextIndex = this.nextIndex;
      rest.nextChunkIndex = this.nextChunkIndex;
      rest.nextOffset = this.nextOffset;
      rest.lastSeconds = this.lastSeconds;
      rest.lastNanos = this.lastNanos;
      rest.lastDelay = this.lastDelay;
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

/**
 * The milliseconds a print at (seconds, nanos, delay) follows one at (lastSeconds, lastNanos,
 * lastDelay) by, when time and delay both advance by the same whole number of them, at most
 * MAX_GAP_MS, and stepping the last time by it (as batch() does) gives the new time exactly; else -1.
 */
function gapBetween(lastSeconds: number, lastNanos: number, lastDelay: number, seconds: number, nanos: number, delay: number): number {
  const gap = delay - lastDelay;
  if (!(gap >= 0 && gap <= MAX_GAP_MS) || !Number.isInteger(gap)) return -1;
  let steppedNanos = lastNanos + gap * NANOS_PER_MS;
  let steppedSeconds = lastSeconds;
  if (steppedNanos >= NANOS_PER_SECOND) {
    steppedNanos -= NANOS_PER_SECOND;
    steppedSeconds++;
  }
  return steppedSeconds === seconds && steppedNanos === nanos ? gap : -1;
}

function grown<T extends Uint8Array | Uint16Array | Float64Array>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}
