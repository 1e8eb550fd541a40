// The read side of the print fast path: events built from scanPrints' numbers (printFromScan) must
// equal decodeEvent's, field for field and class for class, on the corpus, the Teleport fixtures,
// random prints (odd numbers, strings, empty and missing fields, repeated fields) and mutated
// records; a record scanPrints does not take is decoded by decodeEvent, errors included. On the JS
// backend, ProtoReader decodes every record with decodeEvent (the codec has no scanPrints).
import { describe, expect, it } from 'vitest';
import type { SliceCodec } from '../../lib/codec/codec.js';
import { SCAN_FIELDS } from '../../lib/codec/print-scan.js';
import type { AuditEvent, AuditEventInput } from '../../lib/events/event.js';
import { decodeEvent, encodeEvent } from '../../lib/events/oneof.js';
import { newScanStrings, printFromScan } from '../../lib/events/print-codec.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { ProtoReader } from '../../lib/stream/proto-reader.js';
import { eventMessages, randomEvent } from '../helpers/random-event.js';
import { codecUnderTest, corpusPrints, fixturePrints, forceJs, printEvent, randomBytes, rng } from './codec-helpers.js';

const c: SliceCodec = codecUnderTest();

/** Records back to back (no framing needed: scanPrints takes bounds) and their bounds. */
function part(records: Uint8Array[]): { data: Buffer; bounds: Uint32Array } {
  const data = Buffer.concat(records);
  const bounds = new Uint32Array(records.length * 2);
  let at = 0;
  records.forEach((r, i) => {
    bounds[i * 2] = at;
    at += r.length;
    bounds[i * 2 + 1] = at;
  });
  return { data, bounds };
}

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const len = (tag: number, body: number[]) => [tag, ...varint(BigInt(body.length)), ...body];
const oneof = (body: number[]) => Uint8Array.from(len(0x3a, body));

/** Hand-made print records: numbers at and past the safe range, missing, repeated and empty fields. */
function oddRecords(random: () => number): Uint8Array[] {
  const ints = [0n, 1n, 127n, 128n, 2n ** 31n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 62n, 2n ** 63n - 1n, -1n, -(2n ** 53n) + 1n, -(2n ** 53n), -62135596800n];
  const pick = () => ints[Math.floor(random() * ints.length)];
  const str = () => [...Buffer.from(['', 'print', 'ü€😀', '\xff', 'x'.repeat(200)][Math.floor(random() * 5)])];
  const out: Uint8Array[] = [];
  for (let n = 0; n < 400; n++) {
    const time = [...(random() < 0.8 ? [0x08, ...varint(pick())] : []), ...(random() < 0.8 ? [0x10, ...varint(random() < 0.9 ? BigInt(Math.floor(random() * 1e9)) : pick())] : [])];
    const md: number[] = [];
    if (random() < 0.9) md.push(0x08, ...varint(pick()));
    for (const tag of [0x12, 0x1a, 0x22, 0x32]) if (random() < 0.7) md.push(...len(tag, str()));
    if (random() < 0.9) md.push(...len(0x2a, time));
    if (random() < 0.1) md.push(...len(0x2a, [0x08, ...varint(5n)])); // a second Time replaces the first
    const body: number[] = [];
    if (random() < 0.95) body.push(...len(0x0a, md));
    if (random() < 0.1) body.push(...len(0x0a, [0x08, ...varint(7n)])); // a second Metadata merges
    for (const tag of [0x10, 0x20, 0x28, 0x30]) if (random() < 0.8) body.push(tag, ...varint(pick()));
    if (random() < 0.9) body.push(...len(0x1a, [...randomBytes(random, Math.floor(random() * 40))]));
    if (random() < 0.05) body.push(...len(0x1a, [])); // Data present and empty
    if (random() < 0.05) body.push(0x38, 1); // an unknown field
    out.push(oneof(body));
  }
  return out;
}

/** What decodeEvent makes of a record: the event, or the error's code and message. */
function decoded(data: Buffer, start: number, end: number, shareBytes: boolean): AuditEvent | string {
  try {
    return decodeEvent(data, start, end, { shareBytes });
  } catch (err) {
    return `${(err as { code?: string }).code}: ${(err as Error).message}`;
  }
}

/**
 * Reads every record as ProtoReader does: scanPrints from the first record not yet read, `window`
 * records per call; a record it does not take goes to decodeEvent. Returns the events and how many
 * came from the scan.
 */
function readAll(records: Uint8Array[], window: number, shareBytes: boolean): { events: (AuditEvent | string)[]; scanned: number } {
  const { data, bounds } = part(records);
  const out = new Float64Array(window * SCAN_FIELDS);
  const strings = newScanStrings();
  const events: (AuditEvent | string)[] = [];
  let scanned = 0;
  for (let i = 0; i < records.length;) {
    const count = c.scanPrints?.(data, bounds, i, out) ?? 0;
    for (let k = 0; k < count; k++) events.push(printFromScan(data, out, k * SCAN_FIELDS, shareBytes, strings));
    scanned += count;
    i += count;
    if (count === 0) {
      events.push(decoded(data, bounds[i * 2], bounds[i * 2 + 1], shareBytes));
      i++;
    }
  }
  return { events, scanned };
}

function expectSameAsDecodeEvent(records: Uint8Array[], minScanned: number): void {
  const { data, bounds } = part(records);
  for (const shareBytes of [false, true]) {
    const want = records.map((_, i) => decoded(data, bounds[i * 2], bounds[i * 2 + 1], shareBytes));
    for (const window of c.scanPrints ? [1, 7, 256] : [256]) {
      const { events, scanned } = readAll(records, window, shareBytes);
      expect(events).toStrictEqual(want);
      // The JS backend has no scanPrints: every record goes to decodeEvent there.
      if (c.backend === 'native') expect(scanned).toBeGreaterThanOrEqual(minScanned);
      else expect(scanned).toBe(0);
    }
  }
}

const encode = (events: AuditEventInput[]) => events.map((e) => encodeEvent(e));

describe(`scanPrints (the native print read path), ${c.backend} backend`, () => {
  it('reads corpus and Teleport fixture prints as decodeEvent does, every one of them', () => {
    for (const events of [corpusPrints('build'), corpusPrints('typing'), fixturePrints('vim')]) {
      expectSameAsDecodeEvent(encode(events), events.length);
    }
  });

  it('reads odd prints as decodeEvent does and leaves it the ones outside the fast path', () => {
    const random = rng(10);
    const records = oddRecords(random);
    expectSameAsDecodeEvent(records, 50);
    // Some are left to decodeEvent (numbers past 2^53, unknown fields), so both paths are covered.
    if (c.backend === 'native') expect(readAll(records, 256, false).scanned).toBeLessThan(records.length);
  });

  it('hands other events, and every mutated record, to decodeEvent with the same result', () => {
    const random = rng(11);
    const messages = eventMessages();
    const events: AuditEventInput[] = [];
    for (let i = 0; i < 300; i++) {
      events.push(random() < 0.5 ? printEvent(i, randomBytes(random, Math.floor(random() * 300)), i * 10, i * 100, random() < 0.5 ? 'cluster' : '')
        : randomEvent(random, messages[Math.floor(random() * messages.length)], i));
    }
    expectSameAsDecodeEvent(encode(events), 100);
    const mutated = [...encode(events), ...oddRecords(random)].map((r) => {
      const copy = Uint8Array.from(r);
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) copy[Math.floor(random() * copy.length)] = Math.floor(random() * 256);
      return random() < 0.2 ? copy.subarray(0, Math.floor(random() * copy.length)) : copy;
    }).filter((r) => r.length > 0);
    expectSameAsDecodeEvent(mutated, 10);
  });

  it('stops at bounds outside the part and checks its arguments (native; the JS backend has none)', () => {
    expect(c.scanPrints === undefined).toBe(forceJs);
    if (!c.scanPrints) return;
    const { data, bounds } = part(encode(corpusPrints('typing').slice(0, 10)));
    const out = new Float64Array(10 * SCAN_FIELDS);
    bounds[5 * 2 + 1] = data.length + 1;
    expect(c.scanPrints!(data, bounds, 0, out)).toBe(5);
    expect(c.scanPrints!(data, bounds, 100, out)).toBe(0);
    expect(c.scanPrints!(data, bounds, 0, new Float64Array(SCAN_FIELDS - 1))).toBe(0);
    expect(() => c.scanPrints!(data, bounds, -1, out)).toThrow(/first/);
    expect(() => c.scanPrints!(data, new Uint8Array(4) as never, 0, out)).toThrow(/bounds/);
    expect(() => c.scanPrints!(data, bounds, 0, new Float32Array(4) as never)).toThrow(/out/);
  });
});

describe('ProtoReader with and without the print read path', () => {
  it('returns the events decodeEvent returns, copies and views', async () => {
    const events = [...corpusPrints('build').slice(0, 300), ...fixturePrints('vim')].map((e, i) => ({ ...e, Metadata: { ...e.Metadata, Index: i + 1 } })) as AuditEventInput[];
    const encoder = c.createPartEncoder();
    const records = encode(events);
    const framed = Buffer.concat(records.map((r) => Buffer.concat([Buffer.from([r.length >>> 24, (r.length >>> 16) & 255, (r.length >>> 8) & 255, r.length & 255]), r])));
    encoder.addChunk(framed);
    const recording = encoder.finish(0);
    expect(c.scanPrints === undefined).toBe(forceJs);
    for (const copyData of [true, false]) {
      const read = await new ProtoReader(recording, { codec: c, copyData }).readAll();
      expect(read).toStrictEqual(records.map((r) => decodeEvent(r, 0, r.length, { shareBytes: !copyData })));
      expect(read[0].Metadata.Time).toBeInstanceOf(Timestamp);
    }
  });
});
