// The print fast path: framePrints on the backend under test (and on the JS backend) must write
// exactly the framed records writeEvent/encodeEvent write, and fail with the same errors.
import { describe, expect, it } from 'vitest';
import type { PrintBatch } from '../../lib/codec/codec.js';
import { PRINT_FIELDS } from '../../lib/codec/print-batch.js';
import type { AuditEventInput } from '../../lib/events/event.js';
import { Timestamp } from '../../lib/events/timestamp.js';
import { codecUnderTest, corpusPrints, fixturePrints, frameEvents, jsCodec, randomBytes, rng, sha256 } from './codec-helpers.js';

interface PrintLike {
  Metadata: { Index: number; Time: Timestamp; Type?: string; ID?: string; Code?: string; ClusterName?: string };
  ChunkIndex: number;
  Data: Uint8Array;
  Bytes: number;
  DelayMilliseconds: number;
  Offset: number;
}

function toBatch(events: PrintLike[], strings: PrintBatch['strings'] = {}): PrintBatch {
  const numbers = new Float64Array(events.length * PRINT_FIELDS);
  events.forEach((e, i) => {
    numbers.set([e.Data.length, e.Metadata.Index, e.ChunkIndex, e.Bytes, e.DelayMilliseconds, e.Offset, e.Metadata.Time.seconds, e.Metadata.Time.nanos], i * PRINT_FIELDS);
  });
  return { data: Buffer.concat(events.map((e) => e.Data)), numbers, strings };
}

function withStrings(events: PrintLike[], strings: NonNullable<PrintBatch['strings']>): AuditEventInput[] {
  return events.map((e) => ({
    $type: 'SessionPrint',
    ...e,
    Metadata: { ...e.Metadata, Type: strings.type ?? 'print', ID: strings.id ?? '', Code: strings.code ?? '', ClusterName: strings.clusterName ?? '' },
  }));
}

function expectParity(events: PrintLike[], strings: NonNullable<PrintBatch['strings']> = {}): void {
  const expected = sha256(frameEvents(withStrings(events, strings)));
  const batch = toBatch(events, strings);
  expect(sha256(jsCodec.framePrints!(batch))).toBe(expected);
  expect(sha256(codecUnderTest().framePrints!(batch))).toBe(expected);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return `${(err as { code?: string }).code} ${(err as Error).message}`;
  }
}

describe('framePrints parity with encodeEvent', () => {
  it('corpus and Teleport fixtures', () => {
    expectParity(corpusPrints('build') as unknown as PrintLike[]);
    expectParity(corpusPrints('typing') as unknown as PrintLike[]);
    expectParity(fixturePrints('npm') as unknown as PrintLike[], { clusterName: 'teleport.example.com' });
  });

  it('seeded random prints: zero, negative and huge numbers, unicode strings, empty data', () => {
    const random = rng(5);
    const pick = () => {
      const r = random();
      if (r < 0.2) return 0;
      if (r < 0.3) return -Math.floor(random() * 1e12);
      if (r < 0.4) return Number.MAX_SAFE_INTEGER - Math.floor(random() * 10);
      if (r < 0.5) return -Number.MAX_SAFE_INTEGER;
      return Math.floor(random() * 2 ** (1 + Math.floor(random() * 40)));
    };
    for (let round = 0; round < 20; round++) {
      const events: PrintLike[] = Array.from({ length: 200 }, () => {
        const size = random() < 0.3 ? 0 : Math.floor(random() * (random() < 0.05 ? 60_000 : 100));
        return {
          Metadata: { Index: pick(), Time: new Timestamp(random() < 0.1 ? -62135596800 : pick(), random() < 0.3 ? 0 : Math.floor(random() * 1e9)) },
          ChunkIndex: pick(),
          Data: randomBytes(random, size),
          Bytes: pick(),
          DelayMilliseconds: pick(),
          Offset: pick(),
        };
      });
      const strings = round % 2 ? { type: 'print', id: 'ïd-✓', code: round % 4 ? '' : 'T2010I', clusterName: 'c'.repeat(round * 10) } : { type: '' };
      expectParity(events, strings);
    }
  });

  it('an empty batch', () => {
    for (const c of [jsCodec, codecUnderTest()]) expect(c.framePrints!({ data: new Uint8Array(0), numbers: new Float64Array(0) }).length).toBe(0);
  });

  it('a record of exactly 64 KiB passes, one byte more fails the same way', () => {
    const base = { Metadata: { Index: 1, Time: new Timestamp(1, 0) }, ChunkIndex: 0, Bytes: 0, DelayMilliseconds: 0, Offset: 0 };
    // OneOf overhead for this event: 0x3a + 3-byte length + metadata (2 + 2 + 7 + 4) + 0x1a + 3-byte length.
    const fits = 65_536 - (1 + 3 + 2 + 2 + 7 + 4 + 1 + 3);
    expectParity([{ ...base, Data: new Uint8Array(fits) }]);
    const over = toBatch([{ ...base, Data: new Uint8Array(fits + 1) }], {});
    const expected = errorOf(() => jsCodec.framePrints!(over));
    expect(expected).toBe('BAD_PARAMETER print 0: record size 65537 exceeds max message size of 65536 bytes');
    expect(errorOf(() => codecUnderTest().framePrints!(over))).toBe(expected);
  });

  it('bad batches fail with the same code and message on both backends', () => {
    const good = toBatch(fixturePrints('vim').slice(0, 5) as unknown as PrintLike[]);
    const cases: PrintBatch[] = [];
    for (const [field, value] of [[0, -1], [1, 1.5], [3, Number.NaN], [5, Infinity], [6, 2 ** 60], [7, 1e9], [7, -1], [2, 0.1]] as const) {
      const numbers = Float64Array.from(good.numbers);
      numbers[2 * PRINT_FIELDS + field] = value;
      cases.push({ ...good, numbers });
    }
    const overrun = Float64Array.from(good.numbers);
    overrun[3 * PRINT_FIELDS] += 100_000;
    cases.push({ ...good, numbers: overrun });
    cases.push({ ...good, data: Buffer.concat([good.data, Buffer.from('left over')]) });
    cases.push({ ...good, numbers: good.numbers.subarray(0, 7) });
    cases.push({ data: 'text' as unknown as Uint8Array, numbers: good.numbers });
    for (const [i, batch] of cases.entries()) {
      const expected = errorOf(() => jsCodec.framePrints!(batch));
      expect(expected, `case ${i}`).toMatch(/^BAD_PARAMETER /);
      expect(errorOf(() => codecUnderTest().framePrints!(batch)), `case ${i}`).toBe(expected);
    }
  });
});
