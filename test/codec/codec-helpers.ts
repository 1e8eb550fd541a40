// Shared inputs for the codec tests: the backend under test (native unless AUDITCAST_FORCE_JS=1,
// and then the missing addon is a failure, not a skip), the reference JS backend, and framed
// record streams built from the real corpus, the Teleport fixtures and seeded random sessions.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backend, codec, jsCodec, nativeUnavailableReason } from '../../lib/codec/index.js';
import type { PartEncoder, SliceCodec } from '../../lib/codec/codec.js';
import { CHUNK_BYTES } from '../../lib/codec/part-format.js';
import type { AuditEventInput } from '../../lib/events/event.js';
import { encodeEvent } from '../../lib/events/oneof.js';
import { Timestamp } from '../../lib/events/timestamp.js';

export const forceJs = process.env.AUDITCAST_FORCE_JS === '1';
export { backend, codec, jsCodec, nativeUnavailableReason };

/** The codec under test; throws (fails the test) when the native addon should be there and is not. */
export function codecUnderTest(): SliceCodec {
  if (!forceJs && backend !== 'native') throw new Error(`native addon missing: ${nativeUnavailableReason}`);
  return codec;
}

export const SHARED = join(import.meta.dirname, '..', '..', '..', 'shared');

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export { rng } from '../helpers/seeded-random.js';

export function randomBytes(random: () => number, length: number, alphabet = 256): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * alphabet);
  return out;
}

/** The chunks of a `script -T` recording (corpus/*.typescript + *.timing) as print events. */
export function corpusPrints(name: string): AuditEventInput[] {
  const typescript = readFileSync(join(SHARED, 'corpus', `${name}.typescript`));
  const timing = readFileSync(join(SHARED, 'corpus', `${name}.timing`), 'utf8').trim().split('\n');
  let at = typescript.indexOf(0x0a) + 1;
  let ms = 0;
  return timing.map((line, i) => {
    const [delay, count] = line.split(' ');
    ms += Number(delay) * 1000;
    const data = typescript.subarray(at, at + Number(count));
    const event = printEvent(i, data, Math.round(ms), at);
    at += Number(count);
    return event;
  });
}

/** The prints of a Teleport web fixture (events.json + stream). */
export function fixturePrints(name: string): AuditEventInput[] {
  const stream = readFileSync(join(SHARED, 'fixtures', 'teleport-web', `${name}.tty.stream`));
  const events = JSON.parse(readFileSync(join(SHARED, 'fixtures', 'teleport-web', `${name}.tty.events.json`), 'utf8')) as Array<Record<string, unknown>>;
  return events.filter((e) => e.event === 'print').map((e) => ({
    $type: 'SessionPrint',
    Metadata: { Index: e.ei as number, Type: 'print', Time: Timestamp.parse(e.time as string) },
    ChunkIndex: e.ci as number,
    Data: stream.subarray(e.offset as number, (e.offset as number) + (e.bytes as number)),
    Bytes: e.bytes as number,
    DelayMilliseconds: e.ms as number,
    Offset: e.offset as number,
  }));
}

export function printEvent(index: number, data: Uint8Array, delay: number, offset: number, cluster = ''): AuditEventInput {
  return {
    $type: 'SessionPrint',
    Metadata: { Index: index, Type: 'print', ID: '', Code: '', Time: Timestamp.fromMillis(1_700_000_000_000 + delay), ClusterName: cluster },
    ChunkIndex: index,
    Data: data,
    Bytes: data.length,
    DelayMilliseconds: delay,
    Offset: offset,
  };
}

/** Framed records (4-byte BE length + OneOf) of the events, back to back. */
export function frameEvents(events: AuditEventInput[]): Uint8Array {
  const records = events.map((e) => encodeEvent(e));
  const out = new Uint8Array(records.reduce((n, r) => n + 4 + r.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const r of records) {
    view.setUint32(at, r.length);
    out.set(r, at + 4);
    at += 4 + r.length;
  }
  return out;
}

/** Cuts framed bytes into chunks the way the stream writer does: at record ends once >= size. */
export function chunkRecords(framed: Uint8Array, size = CHUNK_BYTES): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const view = new DataView(framed.buffer, framed.byteOffset, framed.length);
  let start = 0;
  let at = 0;
  while (at < framed.length) {
    at += 4 + view.getUint32(at);
    if (at - start >= size) {
      chunks.push(framed.subarray(start, at));
      start = at;
    }
  }
  if (at > start) chunks.push(framed.subarray(start, at));
  return chunks;
}

/** Builds one part from chunks (sync or async path). */
export function buildPart(c: SliceCodec, chunks: Uint8Array[], padTo = 0): Uint8Array {
  const encoder = c.createPartEncoder();
  for (const chunk of chunks) encoder.addChunk(chunk);
  return encoder.finish(padTo);
}

export async function buildPartAsync(c: SliceCodec, chunks: Uint8Array[], padTo = 0): Promise<Uint8Array> {
  const encoder: PartEncoder = c.createPartEncoder();
  for (const chunk of chunks) await encoder.addChunkAsync(chunk);
  return encoder.finish(padTo);
}

/** The gzip section of a part (skips the 24-byte header, stops at PartSize). */
export function sectionOf(part: Uint8Array): Uint8Array {
  const view = new DataView(part.buffer, part.byteOffset, part.length);
  const size = Number(view.getBigUint64(8));
  return part.subarray(24, 24 + size);
}

/** The outcome of inflating a section, comparable across backends: the data hash or the error. */
export function inflateOutcome(c: SliceCodec, section: Uint8Array, maxInflatedBytes = 1 << 26): string {
  try {
    const r = c.inflateSection(section, { maxInflatedBytes });
    return `ok ${sha256(r.data)} ${Array.from(r.bounds).join(',')} ${r.trailingBytes}`;
  } catch (err) {
    const e = err as { code?: string; message: string };
    return `error ${e.code} ${e.message}`;
  }
}
