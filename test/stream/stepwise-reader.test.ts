// readRecordingFrom({ stepwise }): each part inflated a step at a time (what the console's player
// reads with) gives the same events at the same positions as inflating each part whole, from the
// start and from any part/record, and names a cut part as `auditcast verify` does.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../lib/codec/index.js';
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
});
