import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingIndex, replayScreenAt } from '../../lib/index-store/recording-index.js';
import { SeekFile } from '../../lib/index-store/seek-file.js';
import { readRecordingFrom } from '../../lib/stream/positioned-reader.js';
import { backend } from '../../lib/codec/index.js';
import { SESSION_NAMES, sessionRecording } from '../helpers/screen-sessions.js';

/** mulberry32: a small seeded generator, so a failing property run can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditcast-seek-'));
  for (const name of SESSION_NAMES) {
    files[name] = join(dir, `${name}.tar`);
    writeFileSync(files[name], await sessionRecording(name, 7)); // small parts: keyframes resume mid-file and mid-part
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`seek index (${backend} backend)`, () => {
  const seed = Number(process.env.AUDITCAST_TEST_SEED ?? Date.now() % 2 ** 31);

  it.each(SESSION_NAMES)('%s: the screen at 50 random times from the index equals a replay from the start', async (name) => {
    console.log(`seek index property test: seed ${seed} (AUDITCAST_TEST_SEED=${seed} repeats it)`);
    const next = random(seed);
    const index = new RecordingIndex({ dir: join(dir, `index-${name}`), keyframeBytes: 8 * 1024, keyframeMs: 2000 });
    try {
      const { header } = await index.indexRecording(name, files[name]!);
      expect(header.error).toBeNull();
      expect(header.keyframes.length).toBeGreaterThan(name === 'typing' ? 1 : 5);
      expect(new Set(header.keyframes.map((k) => k.partOffset)).size).toBeGreaterThan(1);
      const times = [0, header.durationMs, ...Array.from({ length: 48 }, () => Math.floor(next() * (header.durationMs + 1)))];
      for (const t of times) {
        const fromIndex = await index.screenAt(name, files[name]!, t);
        const replayed = await replayScreenAt(files[name]!, t);
        expect({ t, ...fromIndex }).toEqual({ t, ...replayed });
      }
    } finally {
      index.close();
    }
  });

  it('keyframes resume exactly at the event after them', async () => {
    const index = new RecordingIndex({ dir: join(dir, 'index-resume'), keyframeBytes: 4096 });
    try {
      const file = await index.seekFile('npm', files.npm!);
      try {
        for (const k of file.header.keyframes.slice(1, 6)) {
          const first = await readRecordingFrom(files.npm!, { partOffset: k.partOffset, recordIndex: k.recordIndex, afterIndex: k.eventIndex }).next();
          expect(first.value!.event.Metadata.Index).toBe(k.eventIndex + 1);
        }
      } finally {
        await file.close();
      }
    } finally {
      index.close();
    }
  });

  it('reading from an offset that is not a part fails with the offset in the message', async () => {
    const it = readRecordingFrom(files.npm!, { partOffset: 7 });
    await expect(it.next()).rejects.toMatchObject({ code: expect.stringMatching(/CORRUPTED|UNSUPPORTED/), message: expect.stringContaining('from byte 7') });
  });

  it('rebuilds the index after the recording changes', async () => {
    const file = join(dir, 'changing.tar');
    writeFileSync(file, readFileSync(files.typing!));
    const index = new RecordingIndex({ dir: join(dir, 'index-change') });
    try {
      const first = await index.indexRecording('changing', file);
      expect(first.rebuilt).toBe(true);
      expect((await index.indexRecording('changing', file)).rebuilt).toBe(false);
      writeFileSync(file, readFileSync(files.vim!));
      const second = await index.indexRecording('changing', file);
      expect(second.rebuilt).toBe(true);
      expect(second.header.user).toBe('rjones');
      const screen = await index.screenAt('changing', file, second.header.durationMs);
      expect(screen).toEqual(await replayScreenAt(file, second.header.durationMs));
    } finally {
      index.close();
    }
  });

  it('detects a corrupted index file (header or keyframe) and rebuilds it', async () => {
    const index = new RecordingIndex({ dir: join(dir, 'index-corrupt'), keyframeBytes: 8192 });
    try {
      const { header } = await index.indexRecording('build', files.build!);
      const seek = index.seekPath('build');
      const expected = await replayScreenAt(files.build!, header.durationMs);
      const good = readFileSync(seek);
      const damage = async (at: number) => {
        const bytes = Buffer.from(good);
        bytes[at] ^= 0xff;
        writeFileSync(seek, bytes);
        // A stamp of the recording that matches (so only the damage can explain a rebuild).
        await expect(SeekFile.open(seek).then((f) => f.snapshot(f.keyframeAt(header.durationMs)!).finally(() => f.close())))
          .rejects.toMatchObject({ code: 'CORRUPTED' });
        expect(await index.screenAt('build', files.build!, header.durationMs)).toEqual(expected);
        expect(readFileSync(seek).equals(good)).toBe(true);
      };
      const last = header.keyframes[header.keyframes.length - 1]!;
      await damage(last.blobOffset + 3); // a keyframe blob
      await damage(good.length - 50); // the header
      writeFileSync(seek, good.subarray(0, good.length - 10)); // truncated
      expect(await index.screenAt('build', files.build!, 0)).toEqual(await replayScreenAt(files.build!, 0));
      expect(readFileSync(seek).equals(good)).toBe(true);
    } finally {
      index.close();
    }
  });

  it('a corrupted recording is indexed up to the corruption, which the index names', async () => {
    const good = readFileSync(files.npm!);
    const file = join(dir, 'cut.tar');
    await fs.writeFile(file, good.subarray(0, Math.floor(good.length * 0.6)));
    const index = new RecordingIndex({ dir: join(dir, 'index-cut') });
    try {
      const { header } = await index.indexRecording('cut', file);
      expect(header.error).toMatch(/part \d+ \(at byte \d+\).*truncated/);
      expect(header.events).toBeGreaterThan(100);
      expect(await index.screenAt('cut', file, header.durationMs)).toEqual(await replayScreenAt(file, header.durationMs));
    } finally {
      index.close();
    }
  });
});
