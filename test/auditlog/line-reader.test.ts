import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { logFileName, parseFileTime } from '../../lib/auditlog/file-time.js';
import { readLinesBackward, readLinesForward } from '../../lib/auditlog/line-reader.js';
import { nodeSearchFs } from '../../lib/auditlog/search-fs.js';
import { tempDir } from '../helpers/temp-dir.js';

async function lines(text: string, max: number, block: number, backward: boolean) {
  const dir = tempDir('auditcast-lines-');
  const path = join(dir, 'f');
  writeFileSync(path, text);
  const handle = await nodeSearchFs.open(path);
  const counters: { bytesRead: number; linesTooLong: number; lineOffset?: number } = { bytesRead: 0, linesTooLong: 0 };
  const out: string[] = [];
  const bytes = Buffer.from(text);
  for await (const l of (backward ? readLinesBackward : readLinesForward)(handle, max, counters, block)) {
    out.push(l);
    expect(counters.lineOffset).toBe(bytes.indexOf(Buffer.from(l)));
  }
  await handle.close();
  delete counters.lineOffset;
  return { out, counters };
}

describe('line reader', () => {
  const text = `alpha\nbé\r\n\n${'x'.repeat(30)}\ngamma\n${'y'.repeat(12)}\nlast-no-newline`;
  for (const block of [1, 2, 3, 7, 64, 4096]) {
    it(`forward and backward agree, block ${block}, long lines skipped and counted`, async () => {
      const expected = ['alpha', 'bé', 'gamma', 'y'.repeat(12), 'last-no-newline'];
      const f = await lines(text, 15, block, false);
      expect(f.out).toEqual(expected);
      expect(f.counters).toEqual({ bytesRead: Buffer.byteLength(text), linesTooLong: 1 });
      const b = await lines(text, 15, block, true);
      expect(b.out).toEqual([...expected].reverse());
      expect(b.counters.linesTooLong).toBe(1);
    });
  }

  it('a line of exactly the limit is kept (plus \\r), one byte more is skipped', async () => {
    const f = await lines(`${'a'.repeat(10)}\r\n${'b'.repeat(11)}\n${'c'.repeat(10)}`, 10, 4, false);
    expect(f.out).toEqual(['a'.repeat(10), 'c'.repeat(10)]);
    expect(f.counters.linesTooLong).toBe(1);
    const b = await lines(`${'a'.repeat(10)}\r\n${'b'.repeat(11)}\n${'c'.repeat(10)}`, 10, 4, true);
    expect(b.out).toEqual(['c'.repeat(10), 'a'.repeat(10)]);
  });
});

describe('file names', () => {
  it('formats and parses the Go layout', () => {
    const ms = Date.UTC(2024, 0, 15, 13, 14, 15);
    expect(logFileName(ms)).toBe('2024-01-15.00:00:00.log');
    expect(parseFileTime('2024-01-15.00:00:00.log')).toEqual(new Date(Date.UTC(2024, 0, 15)));
    expect(parseFileTime('/x/y/2024-01-15.00:00:00.log')).toEqual(new Date(Date.UTC(2024, 0, 15)));
    expect(() => parseFileTime('2024-01-15.log')).toThrow(/log file time/);
    expect(() => parseFileTime('2024-02-30.00:00:00.log')).toThrow(/out of range/);
    expect(() => parseFileTime('events.log')).toThrow();
  });
});
