// Random access to a recording file: events from a given part (its byte offset) and record within
// it on, without reading the parts before it. Each event comes with where it sits (byte offset of
// its part, record number in the part), which a seek index stores to resume reading there later.
// Like ProtoReader it drops events whose index is not above the last one (a resumed upload's
// duplicates); `afterIndex` carries that rule across a resume.
import { createReadStream } from 'node:fs';
import { AuditcastError, badParameter, corrupted, throwIfAborted } from '../errors.js';
import { codec as defaultCodec } from '../codec/index.js';
import type { SliceCodec } from '../codec/codec.js';
import type { AuditEvent } from '../events/event.js';
import { decodeEvent } from '../events/oneof.js';
import { closeByteSource, toByteSource } from './byte-source.js';
import { PartReader, type PartReaderLimits } from './part-reader.js';

export interface PositionedEvent {
  event: AuditEvent;
  /** Byte offset of the header of the part that holds the event. */
  partOffset: number;
  /** 0-based record number of the event in its part. */
  recordIndex: number;
}

export interface ReadFromOptions extends PartReaderLimits {
  /** Byte offset of a part header (default 0, the start). */
  partOffset?: number;
  /** Records of that part to skip (default 0). */
  recordIndex?: number;
  /** Events with Metadata.Index <= afterIndex are dropped (default -1). */
  afterIndex?: number;
  codec?: SliceCodec;
  signal?: AbortSignal;
  /**
   * Lets the event loop run after this many milliseconds spent in the reader and its consumer
   * (default 10; 0: never). A part is in memory at once, so without it a consumer that works on
   * each event (a screen model, a server writing frames) would hold the loop for a whole part:
   * seconds for a 5 MiB part, during which a server answers nothing.
   */
  yieldEveryMs?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Events of the recording at `file` from `partOffset`/`recordIndex` on, in order. A wrong offset
 * (not a part header) fails with CORRUPTED or UNSUPPORTED naming the offset.
 */
export async function* readRecordingFrom(file: string, options: ReadFromOptions = {}): AsyncGenerator<PositionedEvent> {
  const start = options.partOffset ?? 0;
  const skip = options.recordIndex ?? 0;
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(skip) || skip < 0) {
    throw badParameter(`bad resume position: part offset ${start}, record ${skip}`);
  }
  const codec = options.codec ?? defaultCodec;
  const source = toByteSource(createReadStream(file, { start, highWaterMark: 1024 * 1024 }));
  const parts = new PartReader(source, codec, options);
  let lastIndex = options.afterIndex ?? -1;
  let first = true;
  const yieldEveryMs = options.yieldEveryMs ?? 10;
  let since = performance.now();
  try {
    for (;;) {
      throwIfAborted(options.signal);
      let part;
      try {
        part = await parts.next();
      } catch (err) {
        // The part reader counts parts from where it started; name the file offset instead.
        const reason = err instanceof Error ? err.message : String(err);
        const from = start === 0 ? '' : `reading from byte ${start}: `;
        throw new AuditcastError(err instanceof AuditcastError ? err.code : 'CORRUPTED', `${file}: ${from}${reason}`, { cause: err });
      }
      if (!part) return;
      const partOffset = start + part.offset;
      const records = part.bounds.length / 2;
      const from = first ? skip : 0;
      if (first && skip > records) throw corrupted(`${file}: part at byte ${partOffset} has ${records} records, cannot resume at record ${skip}`);
      first = false;
      try {
        for (let i = from; i < records; i++) {
          let event: AuditEvent;
          try {
            event = decodeEvent(part.data, part.bounds[i * 2], part.bounds[i * 2 + 1]);
          } catch (err) {
            throw corrupted(`${file}: part at byte ${partOffset}, record ${i + 1}: ${(err as Error).message}`, err);
          }
          if (event.Metadata.Index <= lastIndex) continue;
          lastIndex = event.Metadata.Index;
          yield { event, partOffset, recordIndex: i };
          if (yieldEveryMs > 0 && (i & 31) === 31 && performance.now() - since >= yieldEveryMs) {
            await yieldToEventLoop();
            throwIfAborted(options.signal);
            since = performance.now();
          }
        }
      } finally {
        codec.releaseSection?.(part);
      }
    }
  } finally {
    await closeByteSource(source);
  }
}
