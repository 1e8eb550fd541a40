// Part bytes: the backend under test must write exactly what the JS reference writes, for real
// sessions, the Teleport fixtures, seeded random sessions and edge sizes, on the sync and the
// async path; and the parts must decode with an independent gunzip.
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, MAX_RECORD_BYTES } from '../../lib/codec/part-format.js';
import { generateTestSession } from '../helpers/generate-session.js';
import {
  buildPart, buildPartAsync, chunkRecords, codecUnderTest, corpusPrints, fixturePrints, frameEvents, jsCodec, printEvent,
  randomBytes, rng, sectionOf, sha256,
} from './codec-helpers.js';

function expectSameParts(chunks: Uint8Array[], padTo = 0): Uint8Array {
  const expected = buildPart(jsCodec, chunks, padTo);
  const actual = buildPart(codecUnderTest(), chunks, padTo);
  expect(actual.length).toBe(expected.length);
  expect(sha256(actual)).toBe(sha256(expected));
  // Independent oracle: node's gunzip reads the member and gives back the framed records.
  expect(sha256(zlib.gunzipSync(sectionOf(actual)))).toBe(sha256(Buffer.concat(chunks)));
  return actual;
}

/** A framed stream of records whose total length is exactly `size` (one record per 1000 bytes). */
function framedOfSize(size: number, seed: number): Uint8Array {
  const random = rng(seed);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  while (at < size) {
    let body = Math.min(1000, size - at - 4);
    if (size - at - 4 - body > 0 && size - at - 4 - body < 5) body -= 5;
    view.setUint32(at, body);
    out.set(randomBytes(random, body, 16), at + 4);
    at += 4 + body;
  }
  return out;
}

describe('part encoder parity (native vs js)', () => {
  for (const name of ['build', 'typing']) {
    it(`corpus ${name}.typescript as print records`, () => {
      const framed = frameEvents(corpusPrints(name));
      expectSameParts(chunkRecords(framed));
      expectSameParts(chunkRecords(framed, 4096));
    });
  }

  for (const name of ['vim', 'npm']) {
    it(`Teleport fixture ${name}.tty.stream`, () => {
      expectSameParts(chunkRecords(frameEvents(fixturePrints(name))));
    });
  }

  it('seeded random sessions', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = rng(seed);
      const events = Array.from({ length: 50 + Math.floor(random() * 400) }, (_, i) => {
        const size = random() < 0.1 ? Math.floor(random() * 20000) : Math.floor(random() * 80);
        return printEvent(i, randomBytes(random, size, random() < 0.5 ? 256 : 8), i * 7, i);
      });
      const chunkSize = [1, 512, 4096, CHUNK_BYTES][seed % 4];
      expectSameParts(chunkRecords(frameEvents(events), chunkSize), seed % 3 === 0 ? 200_000 : 0);
    }
  });

  it('GenerateTestSession, 1000 prints', () => {
    expectSameParts(chunkRecords(frameEvents(generateTestSession({ printEvents: 1000, sessionId: 's', serverId: 'x' }))));
  });

  it('empty part', () => {
    const part = expectSameParts([]);
    expect(part.length).toBe(24 + 10 + 2 + 8);
    expect(sha256(buildPart(codecUnderTest(), [], 5 * 1024 * 1024))).toBe(sha256(buildPart(jsCodec, [], 5 * 1024 * 1024)));
  });

  it('chunks of exactly CHUNK_BYTES, one byte less and one byte more', () => {
    for (const size of [CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES]) {
      expectSameParts([framedOfSize(size, size)]);
    }
  });

  it('records of exactly 64 KiB', () => {
    const random = rng(7);
    const body = randomBytes(random, MAX_RECORD_BYTES);
    const framed = new Uint8Array(4 + MAX_RECORD_BYTES);
    new DataView(framed.buffer).setUint32(0, MAX_RECORD_BYTES);
    framed.set(body, 4);
    expectSameParts([framed, framed, framed]);
  });

  it('incompressible chunks whose deflate output crosses node\'s 16 KiB output windows', () => {
    // Stored blocks make the output about as long as the input, so these lengths put the end of
    // the sync flush on and around every multiple of 16384 bytes.
    const random = rng(99);
    const base = randomBytes(random, 70_000);
    for (const window of [16384, 32768, 49152, 65536]) {
      for (let length = window - 24; length <= window + 8; length++) {
        const chunk = base.subarray(0, length);
        const a = buildPart(jsCodec, [chunk]);
        const b = buildPart(codecUnderTest(), [chunk]);
        expect(sha256(b), `length ${length}`).toBe(sha256(a));
      }
    }
  });

  it('async path writes the same bytes as the sync path', async () => {
    const chunks = chunkRecords(frameEvents(corpusPrints('build')));
    const c = codecUnderTest();
    const expected = sha256(buildPart(jsCodec, chunks, 1 << 20));
    expect(sha256(await buildPartAsync(c, chunks, 1 << 20))).toBe(expected);
    expect(sha256(await buildPartAsync(jsCodec, chunks, 1 << 20))).toBe(expected);
    // Small chunks (below the async cut-off) and overlapping calls keep call order.
    const small = chunkRecords(frameEvents(corpusPrints('typing')), 256);
    const encoder = c.createPartEncoder();
    await Promise.all([...chunks, ...small].map((chunk) => encoder.addChunkAsync(chunk)));
    expect(sha256(encoder.finish(0))).toBe(sha256(buildPart(jsCodec, [...chunks, ...small])));
  });

  it('reports compressed and raw sizes like the JS backend', () => {
    const chunks = chunkRecords(frameEvents(corpusPrints('build')));
    const a = jsCodec.createPartEncoder();
    const b = codecUnderTest().createPartEncoder();
    expect(b.compressedBytes).toBe(a.compressedBytes);
    for (const chunk of chunks) {
      expect(b.addChunk(chunk)).toBe(a.addChunk(chunk));
      expect(b.rawBytes).toBe(a.rawBytes);
      expect(b.compressedBytes).toBe(a.compressedBytes);
    }
  });

  it('rejects finish twice, use after finish, finish with work in flight and a bad padTo, with the same errors', async () => {
    for (const c of [jsCodec, codecUnderTest()]) {
      const encoder = c.createPartEncoder();
      expect(() => encoder.finish(-1)).toThrow(/padTo must be a non-negative integer, got -1/);
      expect(() => encoder.finish(1.5)).toThrow(/padTo must be a non-negative integer, got 1.5/);
      const big = chunkRecords(frameEvents(corpusPrints('build')))[0];
      const inFlight = encoder.addChunkAsync(big);
      expect(() => encoder.finish(0)).toThrow('part has chunks still being compressed');
      await inFlight;
      encoder.finish(0);
      expect(() => encoder.finish(0)).toThrow('part already finished');
      expect(() => encoder.addChunk(big)).toThrow('part already finished');
      await expect(encoder.addChunkAsync(big)).rejects.toThrow('part already finished');
    }
  });
});
