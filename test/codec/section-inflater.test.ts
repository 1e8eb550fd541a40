// Section decoding: the backend under test must return the same records, or throw the same code
// and message, as the JS reference for valid parts, every truncation, flipped bytes, bad headers,
// checksum and length errors, bad record lengths and the inflate cap.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, splitRecords } from '../../lib/codec/part-format.js';
import {
  buildPart, chunkRecords, codecUnderTest, corpusPrints, fixturePrints, frameEvents, inflateOutcome, jsCodec, rng,
  sectionOf, sha256,
} from './codec-helpers.js';

function expectSameOutcome(section: Uint8Array, max?: number, label = ''): string {
  const expected = inflateOutcome(jsCodec, section, max);
  expect(inflateOutcome(codecUnderTest(), section, max), label).toBe(expected);
  return expected;
}

/** A gzip member (any valid one) of raw bytes, with optional extra header fields. */
function gzipOf(raw: Uint8Array, flags = 0): Uint8Array {
  const member = zlib.gzipSync(raw, { level: 1 });
  if (!flags) return member;
  const extra: number[] = [];
  if (flags & 0x04) extra.push(3, 0, 1, 2, 3);
  if (flags & 0x08) extra.push(...Buffer.from('name.txt'), 0);
  if (flags & 0x10) extra.push(...Buffer.from('a comment'), 0);
  if (flags & 0x02) extra.push(0xaa, 0xbb);
  const header = Buffer.from(member.subarray(0, 10));
  header[3] = flags;
  return Buffer.concat([header, Buffer.from(extra), member.subarray(10)]);
}

function framed(...lengths: number[]): Uint8Array {
  const out = new Uint8Array(lengths.reduce((n, l) => n + 4 + Math.min(l, 70_000), 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const length of lengths) {
    view.setUint32(at, length);
    at += 4 + Math.min(length, 70_000);
  }
  return out;
}

const smallPart = buildPart(jsCodec, chunkRecords(frameEvents(fixturePrints('vim').slice(0, 12)), 300));
const smallSection = sectionOf(smallPart);

describe('section inflater parity (native vs js)', () => {
  it('valid parts: same data and record bounds', () => {
    for (const name of ['build', 'typing']) {
      const chunks = chunkRecords(frameEvents(corpusPrints(name)));
      const section = sectionOf(buildPart(jsCodec, chunks));
      const result = codecUnderTest().inflateSection(section, { maxInflatedBytes: 1 << 26 });
      expect(sha256(result.data)).toBe(sha256(Buffer.concat(chunks)));
      expect(result.bounds.length).toBe(2 * corpusPrints(name).length);
      expect(result.trailingBytes).toBe(0);
      expectSameOutcome(section);
    }
  });

  it('gzip headers with FEXTRA, FNAME, FCOMMENT and FHCRC', () => {
    const raw = Buffer.concat(chunkRecords(frameEvents(fixturePrints('vim'))));
    for (const flags of [0, 0x04, 0x08, 0x10, 0x02, 0x1e]) {
      expect(expectSameOutcome(gzipOf(raw, flags))).toMatch(/^ok /);
    }
    expect(expectSameOutcome(gzipOf(raw, 0x20))).toContain('invalid gzip header at byte 0');
  });

  it('empty section, empty member and trailing zero bytes after the member', () => {
    expectSameOutcome(new Uint8Array(0));
    expectSameOutcome(sectionOf(buildPart(jsCodec, [])));
    const withTrailing = Buffer.concat([smallSection, new Uint8Array(1000)]);
    expect(expectSameOutcome(withTrailing)).toMatch(/ 1000$/);
  });

  it('a small part truncated at every byte', () => {
    for (let end = 0; end < smallSection.length; end++) expectSameOutcome(smallSection.subarray(0, end), undefined, `end ${end}`);
  });

  it('random byte flips', () => {
    const random = rng(42);
    for (let i = 0; i < 600; i++) {
      const copy = Buffer.from(smallSection);
      const flips = 1 + Math.floor(random() * 3);
      for (let f = 0; f < flips; f++) copy[Math.floor(random() * copy.length)] ^= 1 + Math.floor(random() * 255);
      expectSameOutcome(copy, undefined, `case ${i}`);
    }
  });

  it('bad header magic, CRC flip, ISIZE flip', () => {
    const bad = Buffer.from(smallSection);
    bad[1] = 0x8c;
    expect(expectSameOutcome(bad)).toBe('error CORRUPTED invalid gzip header at byte 0 of the part data');
    const crc = Buffer.from(smallSection);
    crc[crc.length - 8] ^= 0xff;
    expect(expectSameOutcome(crc)).toBe(`error CORRUPTED gzip checksum mismatch at byte ${crc.length - 8} of the part data`);
    const size = Buffer.from(smallSection);
    size[size.length - 1] ^= 0x01;
    expect(expectSameOutcome(size)).toMatch(/^error CORRUPTED gzip length mismatch at byte \d+ of the part data \(inflated \d+ bytes\)$/);
  });

  it('record length 0, over 64 KiB, and truncated records', () => {
    expect(expectSameOutcome(gzipOf(framed(3, 0, 5)))).toBe('error CORRUPTED unexpected message size 0 at byte 7 of the inflated part');
    expect(expectSameOutcome(gzipOf(framed(MAX_RECORD_BYTES), 0))).toMatch(/^ok /);
    expect(expectSameOutcome(gzipOf(framed(1, MAX_RECORD_BYTES + 1)))).toBe(
      `error CORRUPTED record size ${MAX_RECORD_BYTES + 1} exceeds max message size of ${MAX_RECORD_BYTES} bytes at byte 5 of the inflated part`,
    );
    const cut = framed(10, 20).subarray(0, 30);
    expect(expectSameOutcome(gzipOf(cut))).toBe('error CORRUPTED record truncated at byte 14 of the inflated part');
    expect(expectSameOutcome(gzipOf(Uint8Array.of(0, 0, 1)))).toBe('error CORRUPTED record truncated at byte 0 of the inflated part');
  });

  it('the inflate cap', () => {
    const raw = Buffer.concat(chunkRecords(frameEvents(corpusPrints('build'))));
    const section = sectionOf(buildPart(jsCodec, [raw]));
    // The limit covers the records and their bounds (8 bytes per record), found before allocating them.
    const needed = raw.length + 8 * splitRecords(raw).length / 2;
    for (const max of [0, 1, 16383, 16384, 16385, 65536, raw.length - 1, raw.length, raw.length + 1, needed - 1, needed, needed + 1]) {
      const outcome = expectSameOutcome(section, max, `max ${max}`);
      if (max < raw.length) expect(outcome).toBe(`error LIMIT_EXCEEDED part inflates to more than ${max} bytes (maxPartBytes)`);
      else if (max < needed) expect(outcome).toBe(`error LIMIT_EXCEEDED part needs ${needed} bytes for its records and their bounds, more than ${max} bytes (maxPartBytes)`);
      else expect(outcome).toMatch(/^ok /);
    }
    // A zip bomb: 64 MiB of zeros is refused without inflating it all.
    const bomb = zlib.gzipSync(Buffer.alloc(64 << 20), { level: 9 });
    expect(expectSameOutcome(bomb, 1 << 20)).toContain('LIMIT_EXCEEDED');
  });

  it('inflateSectionAsync gives the same data and the same errors as inflateSection', async () => {
    const big = sectionOf(buildPart(jsCodec, chunkRecords(frameEvents(corpusPrints('build')))));
    const crc = Buffer.from(big);
    crc[crc.length - 8] ^= 0xff;
    const cut = big.subarray(0, big.length - 100);
    const cases: [Uint8Array, number][] = [[big, 1 << 26], [crc, 1 << 26], [cut, 1 << 26], [big, 100_000], [smallSection, 1 << 20]];
    for (const c of [jsCodec, codecUnderTest()]) {
      const outcomes = await Promise.all(cases.map(async ([section, max]) => {
        try {
          const r = await c.inflateSectionAsync!(section, { maxInflatedBytes: max });
          return `ok ${sha256(r.data)} ${Array.from(r.bounds).join(',')} ${r.trailingBytes}`;
        } catch (err) {
          return `error ${(err as { code?: string }).code} ${(err as Error).message}`;
        }
      }));
      expect(outcomes).toEqual(cases.map(([section, max]) => inflateOutcome(jsCodec, section, max)));
    }
  });

  it('rejects bad limits with the same error', () => {
    for (const max of [-1, 1.5, Number.NaN, 2 ** 40]) {
      for (const c of [jsCodec, codecUnderTest()]) {
        expect(() => c.inflateSection(smallSection, { maxInflatedBytes: max })).toThrow(/maxInflatedBytes must be an integer/);
      }
    }
  });
});
