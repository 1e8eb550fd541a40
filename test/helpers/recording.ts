// Builds recordings for tests: whole streams through ProtoStreamer, or hand-made parts.
import { jsCodec } from '../../lib/codec/index.js';
import { PART_HEADER_SIZE, writePartHeader } from '../../lib/codec/part-format.js';
import type { PrintBatch } from '../../lib/codec/codec.js';
import type { AuditEvent, AuditEventInput } from '../../lib/events/event.js';
import { encodeEvent } from '../../lib/events/oneof.js';
import { ProtoStreamer } from '../../lib/stream/proto-streamer.js';
import { MemoryUploader } from '../../lib/uploads/memory-uploader.js';

export async function recordEvents(events: readonly AuditEventInput[], minUploadBytes = 5 * 1024 * 1024, sessionId = 'test-session'): Promise<Buffer> {
  const uploader = new MemoryUploader();
  const stream = await new ProtoStreamer({ uploader, minUploadBytes }).createAuditStream(sessionId);
  for (const event of events) await stream.recordEvent(event);
  await stream.complete();
  return uploader.download(sessionId);
}

/** Frames OneOf records: 4-byte big-endian length + bytes. */
export function frame(records: readonly Uint8Array[]): Buffer {
  return Buffer.concat(records.flatMap((r) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(r.length);
    return [len, Buffer.from(r)];
  }));
}

/** One part holding exactly `framed` (any bytes, valid or not) as its records. */
export function makePart(framed: Uint8Array, padTo = 0): Buffer {
  const encoder = jsCodec.createPartEncoder();
  encoder.addChunk(framed);
  return Buffer.from(encoder.finish(padTo));
}

export function partOf(events: readonly AuditEventInput[], padTo = 0): Buffer {
  return makePart(frame(events.map((e) => encodeEvent(e))), padTo);
}

/** A part header followed by `section` as its gzip data. */
export function rawPart(section: Uint8Array, paddingSize = 0, version = 1): Buffer {
  const out = Buffer.alloc(PART_HEADER_SIZE + section.length + paddingSize);
  writePartHeader(out, 0, section.length, paddingSize, version);
  out.set(section, PART_HEADER_SIZE);
  return out;
}

/** The PrintBatch of print events (for recordPrintBatch). */
export function printsToBatch(prints: readonly AuditEvent[]): PrintBatch {
  const numbers = new Float64Array(prints.length * 8);
  prints.forEach((p, i) => {
    const time = p.Metadata.Time;
    numbers.set([(p.Data as Uint8Array).length, p.Metadata.Index, p.ChunkIndex as number, p.Bytes as number,
      p.DelayMilliseconds as number, p.Offset as number, time.seconds, time.nanos], i * 8);
  });
  return { data: Buffer.concat(prints.map((p) => p.Data as Uint8Array)), numbers };
}
