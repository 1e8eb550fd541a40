// readRecordingFrom({ stepwise }): each part inflated a step at a time (what the console's player
// reads with) gives the same events at the same positions as inflating each part whole, from the
// start and from any part/record, names a cut part as `auditcast verify` does, and checks each
// part's gzip trailer (CRC-32, size) as the whole-part readers do.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../lib/codec/index.js';
import { AuditcastError } from '../../lib/errors.js';
import { readRecordingFrom, type ReadFromOptions } from '../../lib/stream/positioned-reader.js';
import { rng } from '../codec/codec-helpers.js';
import { sessionRecording } from '../helpers/screen-sessions.js';

let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditcast-stepwise-'));
  files.small = join(dir, 'small-parts.tar');
  writeFileSync(files.small, await sessionRecording('npm', 7)); // many small parts
  files.large = join(dir, 'large-parts.tar');
  writeFileSync(files.large, await sessionRecording('build')); // the streamer's parts: many deflate chunks each
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function positions(file: string, options: ReadFromOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const { event, partOffset, recordIndex } of readRecordingFrom(file, options)) out.push(`${event.Metadata.Index}@${partOffset}/${recordIndex}`);
  return out;
}

describe(`stepwise part reading (${backend} backend)`, () => {
  it.each(['small', 'large'])('%s parts: the same events at the same positions as whole parts, from the start and from 10 random records', async (name) => {
    const file = files[name]!;
    const whole = await positions(file, {});
    expect(await positions(file, { stepwise: true })).toEqual(whole);
    const seed = Number(process.env.AUDITCAST_TEST_SEED ?? Date.now() % 2 ** 31);
    const next = rng(seed);
    for (let n = 0; n < 10; n++) {
      const at = whole[Math.floor(next() * whole.length)]!;
      const [, part, record] = /@(\d+)\/(\d+)$/.exec(at)!;
      const from = { partOffset: Number(part), recordIndex: Number(record) };
      const expected = await positions(file, from);
      expect(expected[0], `seed ${seed}`).toBe(at);
      expect(await positions(file, { ...from, stepwise: true }), `seed ${seed}`).toEqual(expected);
    }
  });

  it('a record past the end of its part and a cut part are CORRUPTED, worded like auditcast verify', async () => {
    const file = files.small!;
    const first = (await positions(file, {})).filter((p) => /@0\/\d+$/.test(p));
    await expect(positions(file, { stepwise: true, recordIndex: first.length + 5 })).rejects.toMatchObject({ code: 'CORRUPTED', message: expect.stringContaining('cannot resume at record') });
    const cut = join(dir, 'cut.tar');
    writeFileSync(cut, readFileSync(files.large!).subarray(0, 1000)); // inside the first part's data
    await expect(positions(cut, { stepwise: true })).rejects.toMatchObject({
      code: 'CORRUPTED', partOffset: 0, message: expect.stringMatching(/cut\.tar: part 1 \(at byte 0\): data truncated, expected to read \d+ bytes, but got 976$/),
    });
  });

  /** The first part's header fields and where its gzip trailer is (its deflate stream ends just before). */
  function firstPart(bytes: Buffer) {
    const partSize = Number(bytes.readBigUInt64BE(8));
    return { partSize, trailerAt: 24 + partSize - 8 };
  }

  it('a part whose CRC-32 or size does not match its data is CORRUPTED, naming the part and the trailer', async () => {
    const bytes = readFileSync(files.small!);
    const { trailerAt } = firstPart(bytes);
    for (const [at, what] of [[trailerAt, 'CRC-32'], [trailerAt + 4, 'size']] as const) {
      const bad = Buffer.from(bytes);
      bad[at] ^= 0x01;
      const file = join(dir, `bad-${what}.tar`);
      writeFileSync(file, bad);
      await expect(positions(file, {})).rejects.toMatchObject({ code: 'CORRUPTED' }); // the whole-part reader agrees
      await expect(positions(file, { stepwise: true })).rejects.toMatchObject({
        code: 'CORRUPTED', partOffset: 0, message: expect.stringContaining(`part 1 (at byte 0): gzip ${what} mismatch`),
      });
    }
  });

  it('bytes after the gzip member inside its part (Teleport\'s old padding bug) are tolerated, as whole', async () => {
    const bytes = readFileSync(files.small!);
    const { partSize } = firstPart(bytes);
    const header = Buffer.from(bytes.subarray(0, 24));
    header.writeBigUInt64BE(BigInt(partSize + 16), 8);
    const padded = Buffer.concat([header, bytes.subarray(24, 24 + partSize), Buffer.alloc(16, 0xab), bytes.subarray(24 + partSize)]);
    const file = join(dir, 'trailing.tar');
    writeFileSync(file, padded);
    const whole = await positions(file, {});
    expect(whole.length).toBeGreaterThan(0);
    expect(await positions(file, { stepwise: true })).toEqual(whole);
  });

  it.each(['small', 'large'])('fuzz, %s parts: with a byte changed anywhere, stepwise reading gives what whole parts give, or fails where they fail', async (name) => {
    const bytes = readFileSync(files[name]!);
    const seed = Number(process.env.AUDITCAST_TEST_SEED ?? Date.now() % 2 ** 31);
    const next = rng(seed);
    const file = join(dir, `fuzz-${name}.tar`);
    for (let n = 0; n < 60; n++) {
      const bad = Buffer.from(bytes);
      const at = Math.floor(next() * bad.length);
      bad[at] ^= 1 + Math.floor(next() * 255);
      writeFileSync(file, bad);
      const whole = await positions(file, {}).catch((err: unknown) => err);
      const stepwise = await positions(file, { stepwise: true }).catch((err: unknown) => err);
      const label = `seed ${seed}, byte ${at}`;
      if (Array.isArray(whole)) {
        expect(stepwise, label).toEqual(whole);
      } else {
        expect(whole, label).toBeInstanceOf(AuditcastError);
        expect(stepwise, label).toBeInstanceOf(AuditcastError);
        expect((stepwise as AuditcastError).partOffset, label).toBe((whole as AuditcastError).partOffset);
      }
    }
  });
});
