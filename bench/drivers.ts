// What each benchmark driver does. Every write driver turns a fixture into parts (24-byte header +
// gzip member); every read driver turns those parts back into decoded events.
//   native / js  - the slice codec (print fast path framePrints + PartEncoder / inflateSection +
//                  decodeEvent), backend native or pure JS
//   *-records    - read only: inflateSection + the records as zero-copy views, no event objects
//                  (what the codec hands to a caller that decodes only what it needs)
//   native-par2  - native, two parts compressed at once on libuv workers (addChunkAsync)
//   *-stream     - through ProtoStreamer (recordEvent per event object) / ProtoReader
//   *-stream-batch - through ProtoStreamer.recordPrintBatch (the print fast path, no event objects)
//   naive        - protobufjs static code per event + zlib.gzipSync / gunzipSync per part
//   limit        - raw zlib.gzipSync / gunzipSync (level 1) on the same payload bytes, nothing else
import zlib from 'node:zlib';
import type { SliceCodec } from '../lib/codec/codec.js';
import { DEFAULT_MAX_INFLATED_PART_BYTES, PART_HEADER_SIZE, writePartHeader } from '../lib/codec/part-format.js';
import type { AuditEventInput } from '../lib/events/event.js';
import { decodeEvent } from '../lib/events/oneof.js';
import { ProtoReader, ProtoStreamer } from '../lib/stream/index.js';
import { SessionWriter } from '../lib/emitters/session-writer.js';
import { MemoryUploader } from '../lib/uploads/memory-uploader.js';
// @ts-expect-error protobufjs static code has no .d.ts (built by scripts/gen-pbjs.mjs)
import { events as pbEvents } from '../proto/generated/events.pb.js';
import type { PrintFixture } from './fixtures.js';

interface PbOneOf {
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
}
const pb = pbEvents as { OneOf: PbOneOf };

export const PART_BYTES = 5 * 1024 * 1024;

export interface Written {
  parts: Uint8Array[];
  /** Indexes of the fixture's batches in each part (the part boundaries). */
  partBatches: number[][];
}

export interface ReadResult {
  events: number;
  dataBytes: number;
}

/** Sequential write with one codec: frame a batch, compress it, cut a part at 5 MiB. */
export function writeCodec(c: SliceCodec, fx: PrintFixture): Written {
  const parts: Uint8Array[] = [];
  const partBatches: number[][] = [];
  let encoder = c.createPartEncoder();
  let current: number[] = [];
  fx.batches.forEach((batch, i) => {
    encoder.addChunk(c.framePrints!(batch));
    current.push(i);
    if (PART_HEADER_SIZE + encoder.compressedBytes + 10 >= PART_BYTES) {
      parts.push(encoder.finish(0));
      partBatches.push(current);
      encoder = c.createPartEncoder();
      current = [];
    }
  });
  if (current.length) {
    parts.push(encoder.finish(0));
    partBatches.push(current);
  }
  return { parts, partBatches };
}

/**
 * Native write with `inFlight` parts compressed at once: chunks go to libuv workers
 * (addChunkAsync) while the main thread frames the next ones. Part boundaries are those of the
 * sequential run, so the bytes must be identical.
 */
export async function writeParallel(c: SliceCodec, fx: PrintFixture, partBatches: number[][], inFlight = 2): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = new Array(partBatches.length);
  const running: Promise<void>[] = [];
  for (let p = 0; p < partBatches.length; p++) {
    if (running.length >= inFlight) await running.shift();
    const encoder = c.createPartEncoder();
    const pending = partBatches[p].map((i) => encoder.addChunkAsync(c.framePrints!(fx.batches[i])));
    running.push(Promise.all(pending).then(() => {
      parts[p] = encoder.finish(0);
    }));
  }
  await Promise.all(running);
  return parts;
}

/** The raw framed bytes of each part (the payload the limit driver compresses). */
export function rawParts(c: SliceCodec, fx: PrintFixture, partBatches: number[][]): Buffer[] {
  return partBatches.map((batches) => Buffer.concat(batches.map((i) => c.framePrints!(fx.batches[i]))));
}

function partOf(gzip: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(PART_HEADER_SIZE + gzip.length);
  writePartHeader(out, 0, gzip.length, 0);
  out.set(gzip, PART_HEADER_SIZE);
  return out;
}

export function writeLimit(raw: Buffer[]): Uint8Array[] {
  return raw.map((r) => partOf(zlib.gzipSync(r, { level: 1 })));
}

interface PbPrint {
  SessionPrint: {
    Metadata: { Index: number; Type: string; Time: { seconds: number; nanos: number } };
    ChunkIndex: number;
    Data: Uint8Array;
    Bytes: number;
    DelayMilliseconds: number;
    Offset: number;
  };
}

/** protobufjs message objects of the prints, grouped per part (built before timing). */
export function naiveObjects(objects: AuditEventInput[], fx: PrintFixture, partBatches: number[][]): PbPrint[][] {
  const perBatch = fx.batches.map((b) => b.numbers.length / 8);
  const out: PbPrint[][] = [];
  let event = 0;
  for (const batches of partBatches) {
    const part: PbPrint[] = [];
    for (const b of batches) {
      for (let k = 0; k < perBatch[b]; k++) {
        const e = objects[event++] as AuditEventInput & { Metadata: { Index: number; Type: string; Time: { seconds: number; nanos: number } } };
        part.push({
          SessionPrint: {
            Metadata: { Index: e.Metadata.Index, Type: e.Metadata.Type, Time: { seconds: e.Metadata.Time.seconds, nanos: e.Metadata.Time.nanos } },
            ChunkIndex: e.ChunkIndex as number,
            Data: e.Data as Uint8Array,
            Bytes: e.Bytes as number,
            DelayMilliseconds: e.DelayMilliseconds as number,
            Offset: e.Offset as number,
          },
        });
      }
    }
    out.push(part);
  }
  return out;
}

export function writeNaive(parts: PbPrint[][]): Uint8Array[] {
  return parts.map((messages) => {
    const framed: Uint8Array[] = [];
    for (const m of messages) {
      const body = pb.OneOf.encode(m).finish();
      const length = Buffer.allocUnsafe(4);
      length.writeUInt32BE(body.length);
      framed.push(length, body);
    }
    return partOf(zlib.gzipSync(Buffer.concat(framed), { level: 1 }));
  });
}

export async function writeStream(c: SliceCodec, objects: AuditEventInput[]): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const streamer = new ProtoStreamer({ uploader, codec: c, inactivityFlushMs: 0 });
  const stream = await streamer.createAuditStream('bench');
  for (const e of objects) {
    const p = stream.recordEvent(e);
    // recordEvent resolves at once except at part boundaries: only wait when it has to.
    if (p !== undefined) await p;
  }
  await stream.complete();
  return uploader.download('bench');
}

/** Through ProtoStreamer with the print fast path: recordPrintBatch per chunk-sized batch. */
export async function writeStreamBatches(c: SliceCodec, fx: PrintFixture): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const streamer = new ProtoStreamer({ uploader, codec: c, inactivityFlushMs: 0 });
  const stream = await streamer.createAuditStream('bench');
  for (const batch of fx.batches) await stream.recordPrintBatch(batch);
  await stream.complete();
  return uploader.download('bench');
}

/** Through SessionWriter.write(bytes) per PTY read: what a recording service does. */
export async function writeSessionWriter(c: SliceCodec, fx: PrintFixture): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const streamer = new ProtoStreamer({ uploader, codec: c, inactivityFlushMs: 0 });
  const writer = new SessionWriter({ sessionId: 'bench', streamer });
  const { data, numbers } = fx.batch;
  let at = 0;
  for (let i = 0; i < numbers.length; i += 8) {
    const length = numbers[i];
    await writer.write(data.subarray(at, at + length));
    at += length;
  }
  await writer.complete();
  if (writer.stats.lostEvents) throw new Error(`SessionWriter lost ${writer.stats.lostEvents} events`);
  return uploader.download('bench');
}

function sections(parts: Uint8Array[]): Uint8Array[] {
  return parts.map((p) => {
    const view = new DataView(p.buffer, p.byteOffset, p.length);
    return p.subarray(PART_HEADER_SIZE, PART_HEADER_SIZE + Number(view.getBigUint64(8)));
  });
}

/** Inflate, split and decode every event; `shareBytes`: print Data as views instead of copies. */
export function readCodec(c: SliceCodec, parts: Uint8Array[], shareBytes = false): ReadResult {
  let events = 0;
  let dataBytes = 0;
  for (const section of sections(parts)) {
    const { data, bounds } = c.inflateSection(section, { maxInflatedBytes: DEFAULT_MAX_INFLATED_PART_BYTES });
    for (let i = 0; i < bounds.length; i += 2) {
      const event = decodeEvent(data, bounds[i], bounds[i + 1], { shareBytes });
      dataBytes += (event.Data as Uint8Array).length;
      events++;
    }
  }
  return { events, dataBytes };
}

/** Inflate and split only; the Data of each print is located in place (a zero-copy view). */
export function readRecords(c: SliceCodec, parts: Uint8Array[]): ReadResult {
  let events = 0;
  let dataBytes = 0;
  for (const section of sections(parts)) {
    const { data, bounds } = c.inflateSection(section, { maxInflatedBytes: DEFAULT_MAX_INFLATED_PART_BYTES });
    for (let i = 0; i < bounds.length; i += 2) {
      dataBytes += printDataLength(data, bounds[i], bounds[i + 1]);
      events++;
    }
  }
  return { events, dataBytes };
}

/** Length of field 3 (Data) of the SessionPrint inside a OneOf record, read in place. */
function printDataLength(buf: Uint8Array, start: number, end: number): number {
  let pos = start + 1; // OneOf tag 0x3a
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  varint(); // body length
  while (pos < end) {
    const tag = varint();
    if ((tag & 7) === 2) {
      const length = varint();
      if (tag >>> 3 === 3) return length;
      pos += length;
    } else varint();
  }
  return 0;
}

export function readNaive(parts: Uint8Array[]): ReadResult {
  let events = 0;
  let dataBytes = 0;
  for (const section of sections(parts)) {
    const data = zlib.gunzipSync(section);
    let at = 0;
    while (at < data.length) {
      const length = data.readUInt32BE(at);
      const m = pb.OneOf.decode(data.subarray(at + 4, at + 4 + length)) as unknown as PbPrint;
      dataBytes += m.SessionPrint.Data.length;
      events++;
      at += 4 + length;
    }
  }
  return { events, dataBytes };
}

export function readLimit(parts: Uint8Array[]): number {
  let bytes = 0;
  for (const section of sections(parts)) bytes += zlib.gunzipSync(section).length;
  return bytes;
}

export async function readStream(c: SliceCodec, recording: Uint8Array, copyData = true): Promise<ReadResult> {
  let events = 0;
  let dataBytes = 0;
  for await (const event of new ProtoReader(recording, { codec: c, copyData })) {
    dataBytes += (event.Data as Uint8Array).length;
    events++;
  }
  return { events, dataBytes };
}
