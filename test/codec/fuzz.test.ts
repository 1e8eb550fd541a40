// Fuzz: thousands of random and mutated sections through the backend under test; it must never
// crash and must agree with the JS reference on every one (same data or same error).
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildPart, chunkRecords, codecUnderTest, fixturePrints, frameEvents, inflateOutcome, jsCodec, randomBytes, rng, sectionOf } from './codec-helpers.js';

const seeds = [
  sectionOf(buildPart(jsCodec, chunkRecords(frameEvents(fixturePrints('vim').slice(0, 40)), 500))),
  zlib.gzipSync(Buffer.from('\x00\x00\x00\x05hello\x00\x00\x00\x02hi')),
  sectionOf(buildPart(jsCodec, [])),
];

function mutate(random: () => number, input: Uint8Array): Uint8Array {
  let bytes = Buffer.from(input);
  const ops = 1 + Math.floor(random() * 4);
  for (let i = 0; i < ops; i++) {
    const kind = Math.floor(random() * 5);
    const at = Math.floor(random() * Math.max(1, bytes.length));
    if (kind === 0 && bytes.length) bytes[at] ^= 1 << Math.floor(random() * 8);
    else if (kind === 1 && bytes.length) bytes[at] = Math.floor(random() * 256);
    else if (kind === 2) bytes = bytes.subarray(0, at);
    else if (kind === 3) bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(randomBytes(random, 1 + Math.floor(random() * 8))), bytes.subarray(at)]);
    else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + Math.floor(random() * 8)))]);
  }
  return bytes;
}

describe('inflate fuzz', () => {
  it('4000 mutated sections agree with the JS reference', () => {
    const random = rng(2024);
    const c = codecUnderTest();
    for (let i = 0; i < 4000; i++) {
      const input = mutate(random, seeds[i % seeds.length]);
      const max = random() < 0.2 ? Math.floor(random() * 2000) : 1 << 20;
      expect(inflateOutcome(c, input, max), `case ${i}`).toBe(inflateOutcome(jsCodec, input, max));
    }
  });

  it('2000 random sections (gzip magic + noise) agree with the JS reference', () => {
    const random = rng(7);
    const c = codecUnderTest();
    for (let i = 0; i < 2000; i++) {
      const noise = randomBytes(random, Math.floor(random() * 300));
      const input = random() < 0.8 ? Buffer.concat([Buffer.from([0x1f, 0x8b, 8, Math.floor(random() * 32), 0, 0, 0, 0, 4, 255]), noise]) : noise;
      expect(inflateOutcome(c, input, 1 << 16), `case ${i}`).toBe(inflateOutcome(jsCodec, input, 1 << 16));
    }
  });
});
