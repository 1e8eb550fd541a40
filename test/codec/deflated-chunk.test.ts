// Chunks compressed on their own (deflateChunkAsync, on libuv's pool) and appended later
// (addDeflated) make the same part as addChunk; framePrints reports where each record ends; the
// JS crc32Combine agrees with zlib's CRC of the joined bytes.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Combine } from '../../lib/codec/js/crc32-combine.js';
import { PRINT_FIELDS } from '../../lib/codec/print-batch.js';
import { RECORD_HEADER_SIZE } from '../../lib/codec/part-format.js';
import { buildPart, chunkRecords, codecUnderTest, corpusPrints, fixturePrints, frameEvents, jsCodec, randomBytes, rng, sha256 } from './codec-helpers.js';

describe('deflateChunkAsync + addDeflated', () => {
  const inputs: [string, Uint8Array][] = [
    ['build corpus', frameEvents(corpusPrints('build'))],
    ['npm fixture', frameEvents(fixturePrints('npm'))],
    ['random bytes', randomBytes(rng(7), 300_000)],
  ];
  for (const [name, framed] of inputs) {
    it(`${name}: the same part as addChunk, chunks compressed out of order`, async () => {
      const c = codecUnderTest();
      const chunks = chunkRecords(framed);
      // All chunks at once on the pool; they may finish in any order.
      const deflated = await Promise.all(chunks.map((chunk) => c.deflateChunkAsync!(chunk)));
      const encoder = c.createPartEncoder();
      deflated.forEach((d, i) => {
        expect(d.rawLength).toBe(chunks[i].length);
        expect(d.crc).toBe(zlib.crc32(chunks[i]));
        encoder.addDeflated(d);
      });
      const part = encoder.finish(4 * 1024 * 1024);
      expect(sha256(part)).toBe(sha256(buildPart(jsCodec, chunks, 4 * 1024 * 1024)));
    });
  }

  it('a thread reuses one deflate stream: chunks of random and of text bytes in turn make the JS codec\'s part', async () => {
    const c = codecUnderTest();
    const random = chunkRecords(inputs[2][1]);
    const text = chunkRecords(inputs[0][1]);
    const chunks = random.flatMap((chunk, i) => [chunk, text[i % text.length], new Uint8Array(0)]);
    const sync = c.createPartEncoder();
    for (const chunk of chunks) sync.addChunk(chunk);
    const pool = c.createPartEncoder();
    // One after another on the pool too, so the same worker threads compress chunk after chunk.
    for (const chunk of chunks) pool.addDeflated(await c.deflateChunkAsync!(chunk));
    const expected = sha256(buildPart(jsCodec, chunks));
    expect(sha256(sync.finish(0))).toBe(expected);
    expect(sha256(pool.finish(0))).toBe(expected);
  });

  it('an empty chunk adds nothing', async () => {
    const c = codecUnderTest();
    const encoder = c.createPartEncoder();
    const before = encoder.compressedBytes;
    expect(encoder.addDeflated(await c.deflateChunkAsync!(new Uint8Array(0)))).toBe(before);
    expect(sha256(encoder.finish(0))).toBe(sha256(buildPart(jsCodec, [])));
  });
});

describe('framePrints ends', () => {
  it('ends[i] is where record i ends, on both backends alike', () => {
    const prints = corpusPrints('typing').slice(0, 500);
    for (const c of [codecUnderTest(), jsCodec]) {
      const numbers = new Float64Array(prints.length * PRINT_FIELDS);
      prints.forEach((p, i) => {
        const time = p.Metadata!.Time as { seconds: number; nanos: number };
        numbers.set([(p.Data as Uint8Array).length, p.Metadata!.Index as number, p.ChunkIndex as number, p.Bytes as number,
          p.DelayMilliseconds as number, p.Offset as number, time.seconds, time.nanos], i * PRINT_FIELDS);
      });
      const ends = new Uint32Array(prints.length);
      const framed = c.framePrints!({ data: Buffer.concat(prints.map((p) => p.Data as Uint8Array)), numbers }, ends);
      let at = 0;
      for (let i = 0; i < prints.length; i++) {
        at += RECORD_HEADER_SIZE + new DataView(framed.buffer, framed.byteOffset + at).getUint32(0);
        expect(ends[i]).toBe(at);
      }
      expect(at).toBe(framed.length);
      expect(() => c.framePrints!({ data: new Uint8Array(1), numbers: numbers.subarray(0, 0) }, new Uint32Array(0))).toThrow();
      expect(() => c.framePrints!({ data: new Uint8Array(0), numbers: numbers.subarray(0, 16) }, new Uint32Array(1))).toThrow(/ends/);
    }
  });
});

describe('crc32Combine', () => {
  it('equals the CRC of the joined bytes', () => {
    const random = rng(3);
    for (let i = 0; i < 200; i++) {
      const a = randomBytes(random, Math.floor(random() * 5000));
      const b = randomBytes(random, Math.floor(random() * 140_000));
      expect(crc32Combine(zlib.crc32(a), zlib.crc32(b), b.length)).toBe(zlib.crc32(Buffer.concat([a, b])));
    }
  });
});
