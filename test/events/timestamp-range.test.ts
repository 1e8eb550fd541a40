// Timestamps print as dates for every second they hold (Go's time.Time holds any int64 second),
// also far outside a JS Date's range, where they printed as 0NaN-NaN-NaNTNaN:NaN:NaNZ. Through a
// real recording on this backend: verify and JSON export show the dates and exit 0.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GO_ZERO_SECONDS, Timestamp } from '../../lib/events/timestamp.js';
import { recordEvents } from '../helpers/recording.js';
import { run, tempDir } from '../cli/cli-helpers.js';

const DATE_LIMIT_SECONDS = 8.64e12; // new Date(8.64e15) is the last valid Date
const SEED = Number(process.env.AUDITCAST_SEED ?? Date.now() % 2 ** 31);

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Timestamp.toISOString over the whole range', () => {
  it(`matches Date inside its range (seed ${SEED})`, () => {
    const next = random(SEED);
    const samples = [0, -1, 86_399, 86_400, GO_ZERO_SECONDS, 951_782_400 /* 2000-02-29 */, -DATE_LIMIT_SECONDS, DATE_LIMIT_SECONDS];
    for (let i = 0; i < 2000; i++) samples.push(Math.round((next() * 2 - 1) * DATE_LIMIT_SECONDS));
    for (const seconds of samples) {
      const date = new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
      // Date writes years past 9999 as +YYYYYY and before 0 as -YYYYYY; Go writes the plain number.
      const go = date.replace(/^\+0*(\d{4,})/, '$1').replace(/^-0*(\d{4,})/, '-$1');
      expect(new Timestamp(seconds).toISOString(), String(seconds)).toBe(go);
    }
  });

  it('prints every safe-integer second as a date that parses back to it', () => {
    const next = random(SEED + 1);
    const samples = [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, DATE_LIMIT_SECONDS + 1, -DATE_LIMIT_SECONDS - 1];
    for (let i = 0; i < 2000; i++) samples.push(Math.round((next() * 2 - 1) * Number.MAX_SAFE_INTEGER));
    for (const seconds of samples) {
      const text = new Timestamp(seconds, 5).toISOString();
      expect(text).toMatch(/^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000005Z$/);
      expect(Timestamp.parse(text)).toEqual(new Timestamp(seconds, 5));
    }
    // 2^53-1 s is about 285 million years after 1970 (average Gregorian year: 31,556,952 s).
    expect(new Timestamp(Number.MAX_SAFE_INTEGER).toISOString()).toMatch(/^285428751-/);
  });

  it('refuses times it cannot hold with a coded error, never NaN', () => {
    expect(() => Timestamp.parse('999999999999-01-01T00:00:00Z')).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
    expect(() => Timestamp.parse('2024-13-01T00:00:00Z')).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
  });
});

describe('a recording with times outside the Date range', () => {
  const tmp = tempDir('auditcast-time-');
  afterAll(() => tmp.cleanup());

  it('verify and export print dates, not NaN', async () => {
    const far = new Timestamp(9_000_000_000_000_000);
    const before = new Timestamp(-9_000_000_000_000);
    const file = join(tmp.dir, 'far.tar');
    writeFileSync(file, await recordEvents([
      { $type: 'SessionStart', Metadata: { Index: 0, Type: 'session.start', Code: 'T2000I', Time: before }, TerminalSize: '80:24' },
      { $type: 'SessionPrint', Metadata: { Index: 1, Type: 'print', Time: far }, Data: Buffer.from('hi'), Bytes: 2, ChunkIndex: 0, DelayMilliseconds: 0 },
    ]));
    const verify = await run(['verify', file, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    const report = JSON.parse(verify.stdout.toString()) as { firstEventTime: string; lastEventTime: string };
    expect(report.firstEventTime).toBe(before.toISOString());
    expect(report.lastEventTime).toBe(far.toISOString());
    expect(report.lastEventTime).toMatch(/^285200\d{3}-/);
    const table = await run(['verify', file]);
    expect(table.stdout.toString()).not.toMatch(/NaN/);
    const json = await run(['export', file, '-f', 'json']);
    expect(json.code).toBe(0);
    expect(json.stdout.toString()).not.toMatch(/NaN/);
    expect(json.stdout.toString()).toContain(`"time":"${far.toISOString()}"`);
  });
});
