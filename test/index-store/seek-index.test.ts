import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingIndex, replayScreenAt } from '../../lib/index-store/recording-index.js';
import { SeekFile } from '../../lib/index-store/seek-file.js';
import { readRecordingFrom } from '../../lib/stream/positioned-reader.js';
import { backend } from '../../lib/codec/index.js';
import { rng } from '../codec/codec-helpers.js';
import { SESSION_NAMES, sessionRecording } from '../helpers/screen-sessions.js';

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
    const next = rng(seed);
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

  it.each(['build', 'npm'] as const)('%s in large parts: keyframes resume inside a part (a chunk boundary), and the screen at 50 random times equals a replay', async (name) => {
    const file = join(dir, `${name}-large-parts.tar`);
    writeFileSync(file, await sessionRecording(name)); // the streamer's own parts: many chunks each
    const next = rng(seed + 1);
    const index = new RecordingIndex({ dir: join(dir, `index-large-${name}`), keyframeBytes: 8 * 1024, keyframeMs: 2000, minResumePartBytes: 0 });
    try {
      const { header } = await index.indexRecording(name, file);
      const inside = header.keyframes.filter((k) => k.resume && k.resume.sectionOffset > 10);
      expect(inside.length).toBeGreaterThan(3);
      expect(inside.some((k) => k.resume!.skip > 0)).toBe(true);
      const times = [0, header.durationMs, ...inside.map((k) => k.timeMs), ...Array.from({ length: 48 }, () => Math.floor(next() * (header.durationMs + 1)))];
      for (const t of times) {
        const fromIndex = await index.screenAt(name, file, t);
        const replayed = await replayScreenAt(file, t);
        expect({ t, ...fromIndex }).toEqual({ t, ...replayed });
      }
      // Reading on from a resume point gives the same events as reading the part from its start.
      const k = inside[Math.floor(inside.length / 2)]!;
      const resumed: number[] = [];
      for await (const e of readRecordingFrom(file, { partOffset: k.partOffset, recordIndex: k.recordIndex, afterIndex: k.eventIndex, resume: k.resume })) resumed.push(e.event.Metadata.Index);
      const whole: number[] = [];
      for await (const e of readRecordingFrom(file, { partOffset: k.partOffset, recordIndex: k.recordIndex, afterIndex: k.eventIndex })) whole.push(e.event.Metadata.Index);
      expect(resumed).toEqual(whole);
      expect(resumed[0]).toBe(k.eventIndex + 1);
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
