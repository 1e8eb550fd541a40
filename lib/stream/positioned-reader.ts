// Random access to a recording file: events from a given part (its byte offset) and record within
// it on, without reading the parts before it. Each event comes with where it sits (byte offset of
// its part, record number in the part), which a seek index stores to resume reading there later.
// Like ProtoReader it drops events whose index is not above the last one (a resumed upload's
// duplicates); `afterIndex` carries that rule across a resume.
import zlib from 'node:zlib';
import { AuditcastError, badParameter, corrupted, limitExceeded, throwIfAborted } from '../errors.js';
import { codec as defaultCodec } from '../codec/index.js';
import type { SliceCodec } from '../codec/codec.js';
import type { AuditEvent } from '../events/event.js';
import { decodeEvent } from '../events/oneof.js';
import { closeByteSource, toByteSource } from './byte-source.js';
import { PartReader, type PartReaderLimits } from './part-reader.js';
import { type PartResume, readPartAt } from './part-checkpoints.js';
import { openRecording, type RecordingHandle, streamRecording } from './recording-file.js';
import { DEFAULT_MAX_PART_BYTES, GZIP_TRAILER_SIZE, MAX_RECORD_BYTES, PART_HEADER_SIZE, RECORD_HEADER_SIZE, gzipHeaderLength } from '../codec/part-format.js';

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
   * Start inflating record `recordIndex`'s part at this chunk boundary instead of its start (from a
   * seek index: part-checkpoints.ts). The part's CRC is then not checked: the index was built
   * from, and checked, this very file.
   */
  resume?: PartResume;
  /**
   * Inflate every part a step at a time as events are read, instead of whole before its first
   * event: the first event comes at once and a reader holds a step, not a part (tens of MB
   * inflated). What a player wants, and what an index build holds in memory. Implied by
   * `resume`. Each part read from its start has its gzip trailer (CRC-32 and size) checked as
   * inflating reaches it; a part entered at a resume point cannot be.
   */
  stepwise?: boolean;
  /**
   * Lets the event loop run after this many milliseconds spent in the reader and its consumer
   * (default 2; 0: never). A part is in memory at once, so without it a consumer that works on
   * each event (a screen model, a server writing frames) would hold the loop for a whole part:
   * seconds for a 5 MiB part, during which a server answers nothing. Short, because a request
   * served meanwhile waits about one slice at each of its awaits (a player's first frame makes
   * a dozen while the server indexes in the background: 10 ms slices cost it 1.5 s at load 15).
   */
  yieldEveryMs?: number;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Events of the recording at `file` from `partOffset`/`recordIndex` on, in order. A wrong offset
 * (not a part header) fails with CORRUPTED or UNSUPPORTED naming the offset.
 */
export async function* readRecordingFrom(file: string, options: ReadFromOptions = {}): AsyncGenerator<PositionedEvent> {
  if (options.resume || options.stepwise) {
    // Part by part, each inflated a step at a time: the first from the resume point (or its
    // deflate start, skipping records to recordIndex), the next ones from their deflate start.
    const maxInflated = options.maxInflatedPartBytes ?? options.maxPartBytes ?? DEFAULT_MAX_PART_BYTES;
    let lastIndex = options.afterIndex ?? -1;
    let partOffset: number | null = options.partOffset ?? 0;
    let resume: PartResume | null = options.resume ?? null;
    let recordIndex = options.recordIndex ?? 0;
    if (!Number.isSafeInteger(partOffset) || partOffset < 0 || !Number.isSafeInteger(recordIndex) || recordIndex < 0) {
      throw badParameter(`bad resume position: part offset ${partOffset}, record ${recordIndex}`);
    }
    // Parts are numbered as `auditcast verify` numbers them when reading from the start.
    let partNumber = partOffset === 0 ? 1 : 0;
    while (partOffset !== null) {
      throwIfAborted(options.signal);
      const where = partNumber > 0 ? `${file}: part ${partNumber++} (at byte ${partOffset})` : `${file}: part at byte ${partOffset}`;
      const part = readPartFrom(file, where, partOffset, recordIndex, resume, maxInflated, options.maxPartBytes ?? DEFAULT_MAX_PART_BYTES);
      try {
        let next: IteratorResult<{ event: AuditEvent; recordIndex: number }, number | null>;
        const at = partOffset;
        const step = () => part.next().catch((err: unknown) => {
          // As PartReader's errors do, a damaged part's error says where it starts.
          if (err instanceof AuditcastError && err.partOffset === undefined && err.code !== 'CANCELED') throw new AuditcastError(err.code, err.message, { cause: err, partOffset: at });
          throw err;
        });
        while (!(next = await step()).done) {
          const { event } = next.value;
          if (event.Metadata.Index <= lastIndex) continue;
          lastIndex = event.Metadata.Index;
          yield { event, partOffset, recordIndex: next.value.recordIndex };
        }
        partOffset = next.value;
      } finally {
        await part.return(null);
      }
      resume = null;
      recordIndex = 0;
    }
    return;
  }
  const start = options.partOffset ?? 0;
  const skip = options.recordIndex ?? 0;
  if (!Number.isSafeInteger(start) || start < 0 || !Number.isSafeInteger(skip) || skip < 0) {
    throw badParameter(`bad resume position: part offset ${start}, record ${skip}`);
  }
  const codec = options.codec ?? defaultCodec;
  const source = toByteSource(await streamRecording(file, start));
  const parts = new PartReader(source, codec, options);
  let lastIndex = options.afterIndex ?? -1;
  let first = true;
  const yieldEveryMs = options.yieldEveryMs ?? 2;
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

/** Compressed bytes inflated at a time when resuming inside a part: a seek reads only what it needs. */
const RESUME_STEP_BYTES = 32 * 1024;

/**
 * The records of one part from a chunk boundary on (see ReadFromOptions.resume), inflated a step
 * at a time as the caller reads on; returns where the next part starts. Without a resume point it
 * starts at the part's deflate start, skips the records before `firstRecord`, and checks the gzip
 * trailer where the deflate stream ends (bytes after it are tolerated, as the whole-part readers
 * tolerate them: Teleport's old padding bug).
 */
async function* readPartFrom(
  file: string, where: string, partOffset: number, firstRecord: number, resume: PartResume | null, maxInflated: number, maxPartBytes: number,
): AsyncGenerator<{ event: AuditEvent; recordIndex: number }, number | null> {
  const handle = await openRecording(file);
  const inflate = zlib.createInflateRaw();
  try {
    const header = await readPartAt(handle, partOffset, file);
    if (!header) return null; // the end of the recording
    const { partSize, paddingSize } = header;
    if (partSize > maxPartBytes) throw limitExceeded(`${where}: part size ${partSize} exceeds the limit of ${maxPartBytes} bytes (maxPartBytes)`);
    const present = (await handle.stat()).size - partOffset - PART_HEADER_SIZE;
    if (present < partSize) throw corrupted(`${where}: data truncated, expected to read ${partSize} bytes, but got ${Math.max(0, present)}`);
    // Else the next part would be looked for past the end, and the recording would seem to end here.
    if (present < partSize + paddingSize) throw corrupted(`${where}: padding truncated, expected to skip ${paddingSize} bytes, but got ${present - partSize}`);
    if (partSize === 0) return partOffset + PART_HEADER_SIZE + paddingSize;
    let from = resume?.sectionOffset ?? 0;
    if (!resume) {
      const head = Buffer.alloc(Math.min(partSize, 1024));
      await handle.read(head, 0, head.length, partOffset + PART_HEADER_SIZE);
      from = gzipHeaderLength(head);
      if (from < 0) throw corrupted(`${where}: bad gzip header`);
    }
    // From the start, the trailer goes through the inflater too: that it was reached and where.
    const to = resume ? partSize - GZIP_TRAILER_SIZE : partSize;
    if (!(Number.isSafeInteger(from) && from > 0 && from < partSize - GZIP_TRAILER_SIZE)) throw corrupted(`${where}: cannot resume at section byte ${from}`);
    let out: Buffer[] = [];
    inflate.on('data', (chunk: Buffer) => out.push(chunk));
    let pending = Buffer.alloc(0);
    let toSkip = resume?.skip ?? 0;
    let inflated = 0;
    let crc = 0;
    /** Section offset of the gzip trailer, once the deflate stream has ended. */
    let trailerAt = -1;
    // With a resume point the first inflated record is firstRecord; from the start it is record 0.
    let record = resume ? firstRecord : 0;
    for (let pos = from; pos < to && trailerAt < 0;) {
      const step = Buffer.alloc(Math.min(RESUME_STEP_BYTES, to - pos));
      const { bytesRead } = await handle.read(step, 0, step.length, partOffset + PART_HEADER_SIZE + pos);
      if (bytesRead < step.length) throw corrupted(`${where}: truncated at byte ${partOffset + PART_HEADER_SIZE + pos + bytesRead}`);
      pos += step.length;
      inflate.write(step);
      try {
        await new Promise<void>((resolve, reject) => {
          inflate.once('error', reject);
          inflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            inflate.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        throw corrupted(`${where}: inflating from section byte ${from}: ${(err as Error).message}`, err);
      }
      const output = Buffer.concat(out);
      out = [];
      inflated += output.length;
      if (inflated > maxInflated) throw corrupted(`${where}: more than ${maxInflated} bytes inflated`);
      if (!resume) {
        crc = zlib.crc32(output, crc);
        // The inflater took less than it was given: the deflate stream ended there.
        if (inflate.bytesWritten < pos - from) trailerAt = from + inflate.bytesWritten;
      }
      let data = pending.length > 0 ? Buffer.concat([pending, output]) : output;
      if (toSkip > 0) {
        const skipped = Math.min(toSkip, data.length);
        data = data.subarray(skipped);
        toSkip -= skipped;
      }
      let at = 0;
      while (data.length - at >= RECORD_HEADER_SIZE) {
        const length = data.readUInt32BE(at);
        if (length === 0 || length > MAX_RECORD_BYTES) throw corrupted(`${where}, record ${record + 1}: bad record length ${length}`);
        if (data.length - at - RECORD_HEADER_SIZE < length) break;
        if (record < firstRecord) {
          record++;
          at += RECORD_HEADER_SIZE + length;
          continue;
        }
        let event: AuditEvent;
        try {
          event = decodeEvent(data, at + RECORD_HEADER_SIZE, at + RECORD_HEADER_SIZE + length);
        } catch (err) {
          throw corrupted(`${where}, record ${record + 1}: ${(err as Error).message}`, err);
        }
        yield { event, recordIndex: record++ };
        at += RECORD_HEADER_SIZE + length;
      }
      pending = Buffer.from(data.subarray(at));
    }
    if (pending.length > 0 || toSkip > 0) throw corrupted(`${where}, record ${record + 1}: truncated`);
    if (!resume) await checkTrailer(handle, where, partOffset + PART_HEADER_SIZE, partSize, trailerAt, crc, inflated);
    if (record < firstRecord) throw corrupted(`${where} has ${record} records, cannot resume at record ${firstRecord}`);
    return partOffset + PART_HEADER_SIZE + partSize + paddingSize;
  } finally {
    inflate.close();
    await handle.close();
  }
}

/** The gzip trailer of a part read from its start: the deflate stream ended, and CRC-32 and size match. */
async function checkTrailer(handle: RecordingHandle, where: string, sectionStart: number, partSize: number, trailerAt: number, crc: number, inflated: number): Promise<void> {
  if (trailerAt < 0 || partSize - trailerAt < GZIP_TRAILER_SIZE) throw corrupted(`${where}: gzip data truncated (no trailer)`);
  const trailer = Buffer.alloc(GZIP_TRAILER_SIZE);
  const { bytesRead } = await handle.read(trailer, 0, GZIP_TRAILER_SIZE, sectionStart + trailerAt);
  if (bytesRead < GZIP_TRAILER_SIZE) throw corrupted(`${where}: truncated at byte ${sectionStart + trailerAt + bytesRead}`);
  const at = sectionStart + trailerAt;
  if (trailer.readUInt32LE(0) !== crc >>> 0) throw corrupted(`${where}: gzip CRC-32 mismatch (trailer at byte ${at})`);
  if (trailer.readUInt32LE(4) !== inflated % 2 ** 32) throw corrupted(`${where}: gzip size mismatch (trailer at byte ${at + 4} says ${trailer.readUInt32LE(4)}, inflated ${inflated})`);
}
