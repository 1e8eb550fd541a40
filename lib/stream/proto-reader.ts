// ProtoReader: events of a recording, in order, part by part. Duplicate event indexes (left by a
// resumed upload) are dropped and counted the way Teleport counts them.
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { AuditcastError, corrupted, throwIfAborted } from '../errors.js';
import { codec as defaultCodec } from '../codec/index.js';
import type { SliceCodec } from '../codec/codec.js';
import type { AuditEvent } from '../events/event.js';
import { type DecodeOptions, decodeEvent } from '../events/oneof.js';
import { newScanStrings, printFromScan } from '../events/print-codec.js';
import { SCAN_FIELDS } from '../codec/print-scan.js';
import { type ByteSource, type RecordingSource, closeByteSource, toByteSource } from './byte-source.js';
import { PartReader, type PartReaderLimits, type ReadPart } from './part-reader.js';

/** Records read per scanPrints call. */
const SCAN_RECORDS = 256;

export interface ProtoReaderStats {
  /** Events dropped because their index was not above the last one returned. */
  skippedEvents: number;
  /** Events whose index jumped past last + 1 (still returned). */
  outOfOrderEvents: number;
  /** Every event decoded. */
  totalEvents: number;
  /** Bytes after a gzip member inside its part (Teleport's old padding bug), ignored. */
  skippedBytes: number;
  /** Parts read. */
  parts: number;
}

/** ProtoReaderStats.ToFields: the seed's counters as log fields, under Teleport's field names. */
export function protoReaderStatsToFields(stats: ProtoReaderStats): Record<string, number> {
  return { 'skipped-events': stats.skippedEvents, 'out-of-order-events': stats.outOfOrderEvents, 'total-events': stats.totalEvents };
}

/** SessionReader: reads a session's events one by one; null at the end. */
export interface SessionReader {
  read(): Promise<AuditEvent | null>;
}

export interface ProtoReaderOptions extends PartReaderLimits {
  /** Codec backend (default: the process-wide one). */
  codec?: SliceCodec;
  /**
   * Events get their own copy of byte fields (print Data), and the reader frees each inflated part
   * as soon as it is done (native backend): memory stays at about one part. Default true. With
   * false, byte fields are views into the inflated part: faster, but an event kept alive keeps its
   * whole part alive, and parts wait for the garbage collector.
   */
  copyData?: boolean;
  signal?: AbortSignal;
}

export class ProtoReader implements AsyncIterable<AuditEvent>, SessionReader {
  private source: ByteSource;
  private readonly parts: PartReader;
  private part: ReadPart | null = null;
  private record = 0;
  private lastIndex = -1;
  private ended = false;
  private failure: AuditcastError | null = null;
  private readonly signal?: AbortSignal;
  private readonly decodeOptions: DecodeOptions;
  private readonly codec: SliceCodec;
  /** The codec's scanPrints output (SCAN_RECORDS records from scanFrom), when it has one. */
  private readonly scan: Float64Array | null;
  private scanFrom = 0;
  private scanCount = 0;
  private readonly scanStrings = newScanStrings();
  private partBytes: Uint8Array | null = null;
  private partBuffer: Buffer | null = null;
  readonly stats: ProtoReaderStats = { skippedEvents: 0, outOfOrderEvents: 0, totalEvents: 0, skippedBytes: 0, parts: 0 };

  constructor(source: RecordingSource, options: ProtoReaderOptions = {}) {
    this.source = toByteSource(source);
    this.codec = options.codec ?? defaultCodec;
    this.parts = new PartReader(this.source, this.codec, options);
    this.signal = options.signal;
    this.decodeOptions = { shareBytes: options.copyData === false };
    this.scan = this.codec.scanPrints ? new Float64Array(SCAN_RECORDS * SCAN_FIELDS) : null;
  }

  /** GetStats: a copy of the counters. */
  getStats(): ProtoReaderStats {
    return { ...this.stats };
  }

  /** Reads from a new source, keeping stats and the last index (Teleport's Reset). */
  reset(source: RecordingSource): void {
    this.source = toByteSource(source);
    this.parts.reset(this.source);
    this.part = null;
    this.scanCount = 0;
    this.ended = false;
  }

  /** Byte offset reached in the current source. */
  get offset(): number {
    return this.source.offset;
  }

  /** The next event, or null at the end of the recording. */
  async read(): Promise<AuditEvent | null> {
    for (;;) {
      const event = this.nextInPart();
      if (event) return event;
      if (!(await this.nextPart())) return null;
    }
  }

  /**
   * The next event of the part in memory, or null when that part is done (then nextPart()).
   * Synchronous: the iterators below return events without a promise hop each.
   */
  private nextInPart(): AuditEvent | null {
    if (this.failure) throw this.failure;
    const part = this.part;
    if (!part) return null;
    const bounds = part.bounds;
    while (this.record * 2 < bounds.length) {
      const i = this.record++;
      let event: AuditEvent;
      try {
        event = this.scanned(part, i) ?? decodeEvent(part.data, bounds[i * 2], bounds[i * 2 + 1], this.decodeOptions);
      } catch (err) {
        // Not sticky, as in Teleport: the next read moves on to the next record.
        const reason = err instanceof Error ? err.message : String(err);
        throw new AuditcastError('CORRUPTED', `part ${part.partIndex} (at byte ${part.offset}), record ${i + 1}: ${reason}`, { cause: err });
      }
      this.stats.totalEvents++;
      const index = event.Metadata.Index;
      if (index <= this.lastIndex) {
        this.stats.skippedEvents++;
        continue;
      }
      if (this.lastIndex > 0 && index !== this.lastIndex + 1) this.stats.outOfOrderEvents++;
      this.lastIndex = index;
      return event;
    }
    return null;
  }

  /**
   * Record i as a print read by the codec's scanPrints (the native print fast path: no JS decoding
   * per field), or null when the codec has none or record i is not a plain print.
   */
  private scanned(part: ReadPart, i: number): AuditEvent | null {
    const scan = this.scan;
    if (!scan) return null;
    if (i < this.scanFrom || i >= this.scanFrom + this.scanCount) {
      if (this.partBytes !== part.data) {
        this.partBytes = part.data;
        this.partBuffer = Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data.buffer, part.data.byteOffset, part.data.byteLength);
      }
      this.scanFrom = i;
      this.scanCount = this.codec.scanPrints!(part.data, part.bounds, i, scan);
      if (this.scanCount === 0) return null;
    }
    return printFromScan(this.partBuffer!, scan, (i - this.scanFrom) * SCAN_FIELDS, this.decodeOptions.shareBytes === true, this.scanStrings);
  }

  /** Frees the finished part and reads the next one; false at the end of the recording. */
  private async nextPart(): Promise<boolean> {
    if (this.failure) throw this.failure;
    if (this.ended) return false;
    throwIfAborted(this.signal);
    // With views, parts wait for the collector; the native backend frees (and reuses) a collected
    // part's memory only when the event loop turns, which a Buffer source never lets it do.
    if (this.decodeOptions.shareBytes && this.part) await setImmediatePromise();
    this.releasePart(); // free the finished part while the next one is read
    let next: ReadPart | null;
    try {
      next = await this.parts.next();
    } catch (err) {
      this.failure = err instanceof AuditcastError ? err : corrupted((err as Error).message, err);
      throw this.failure;
    }
    if (!next) {
      this.ended = true;
      return false;
    }
    this.part = next;
    this.record = 0;
    this.scanCount = 0;
    this.stats.parts++;
    this.stats.skippedBytes += next.trailingBytes;
    return true;
  }

  /**
   * The recording part by part: each batch is a synchronous iterable of that part's events,
   * decoded as they are taken (no promise per event; the fast way through a large recording).
   * Take a batch's events before asking for the next batch: with copyData the part is freed then.
   */
  async *batches(): AsyncGenerator<Iterable<AuditEvent>, void, undefined> {
    try {
      for (;;) {
        if (this.part && this.record * 2 < this.part.bounds.length) yield this.partEvents();
        if (!(await this.nextPart())) return;
      }
    } finally {
      await this.close();
    }
  }

  private *partEvents(): Generator<AuditEvent, void, undefined> {
    for (let event = this.nextInPart(); event; event = this.nextInPart()) yield event;
  }

  private releasePart(): void {
    const done = this.part;
    this.part = null;
    this.partBytes = null;
    this.partBuffer = null;
    this.scanCount = 0;
    // Events hold copies of their bytes only when copyData is set; only then may the part go now.
    if (done && !this.decodeOptions.shareBytes) this.codec.releaseSection?.(done);
  }

  /** Every remaining event. */
  async readAll(): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    for (let event = await this.read(); event; event = await this.read()) events.push(event);
    return events;
  }

  /** Events one by one; a promise is made only when a part must be read. */
  [Symbol.asyncIterator](): AsyncIterator<AuditEvent> {
    const done = async (): Promise<IteratorResult<AuditEvent>> => {
      await this.close();
      return { done: true, value: undefined };
    };
    const slow = async (): Promise<IteratorResult<AuditEvent>> => {
      try {
        const event = await this.read();
        return event ? { done: false, value: event } : await done();
      } catch (err) {
        await this.close();
        throw err;
      }
    };
    return {
      next: (): Promise<IteratorResult<AuditEvent>> => {
        let event: AuditEvent | null;
        try {
          event = this.nextInPart();
        } catch (err) {
          return this.close().then(() => Promise.reject(err));
        }
        return event ? Promise.resolve({ done: false, value: event }) : slow();
      },
      return: done,
    };
  }

  /** Releases the input (ends a stream source early). */
  async close(): Promise<void> {
    this.ended = true;
    this.releasePart();
    await closeByteSource(this.source);
  }
}
