// asciicast v2 export, checked with asciinema itself (`asciinema cat` must print the original
// terminal bytes), and asciicast import round trips.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS, TELEPORT_WEB, requireCommand, run, scriptBody, tempDir } from './cli-helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const sessions = {
  vim: { from: 'legacy', inputs: [join(TELEPORT_WEB, 'vim.tty.events.json'), join(TELEPORT_WEB, 'vim.tty.stream')] },
  npm: { from: 'legacy', inputs: [join(TELEPORT_WEB, 'npm.tty.events.json'), join(TELEPORT_WEB, 'npm.tty.stream')] },
  build: { from: 'script', inputs: [join(CORPUS, 'build.timing'), join(CORPUS, 'build.typescript')] },
  typing: { from: 'script', inputs: [join(CORPUS, 'typing.timing'), join(CORPUS, 'typing.typescript')] },
} as const;
type Name = keyof typeof sessions;
const names = Object.keys(sessions) as Name[];

const tar = (name: string) => join(tmp.dir, `${name}.tar`);
const cast = (name: string) => join(tmp.dir, `${name}.cast`);

beforeAll(async () => {
  for (const name of names) {
    const { from, inputs } = sessions[name];
    const imported = await run(['import', '--from', from, ...inputs, '-o', tar(name)]);
    expect(imported.code).toBe(0);
    const exported = await run(['export', tar(name), '--format', 'asciicast', '--out', cast(name)]);
    expect(exported.code).toBe(0);
  }
});

function lines(name: string): unknown[] {
  return readFileSync(cast(name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
}

describe('asciicast export', () => {
  it('has a v2 header with the size from session.start and resize events as "r"', () => {
    const [header, ...events] = lines('vim') as [Record<string, unknown>, ...[number, string, string][]];
    expect(header).toMatchObject({ version: 2, width: 80, height: 25, timestamp: 1570225115 });
    expect(events[0]).toEqual([0.038, 'r', '185x54']);
    expect(events.filter((e) => e[1] === 'o').length).toBeGreaterThan(100);
    const times = events.map((e) => e[0]);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The last print of vim is at ms 43432 after the first one (0.081 s after the start).
    expect(times.at(-1)).toBeCloseTo(0.081 + 43.432, 3);
  });

  it('keeps the microsecond timing of a script capture', () => {
    const [, ...events] = lines('typing') as [unknown, ...[number, string, string][]];
    const timing = readFileSync(join(CORPUS, 'typing.timing'), 'utf8').trim().split('\n');
    let elapsedUs = 0;
    const expected = timing.map((line) => {
      elapsedUs += Math.round(Number(line.split(' ')[0]) * 1e6);
      return elapsedUs / 1e6;
    });
    expect(events.map((e) => e[0])).toEqual(expected);
  });

  describe('asciinema cat', () => {
    it.each(names)('%s: asciinema cat prints the original bytes', (name) => {
      requireCommand('asciinema', 'script');
      const out = join(tmp.dir, `${name}.cat.out`);
      // asciinema cat opens /dev/tty: give it one with script(1).
      execFileSync('script', ['-q', '-c', `asciinema cat '${cast(name)}' > '${out}'`, '/dev/null'], { stdio: 'ignore', timeout: 30_000 });
      const original = sessions[name].from === 'legacy'
        ? readFileSync(sessions[name].inputs[1])
        : scriptBody(readFileSync(sessions[name].inputs[1]), readFileSync(sessions[name].inputs[0], 'utf8'));
      expect(readFileSync(out).equals(original)).toBe(true);
    });
  });
});

describe('asciicast import', () => {
  it.each(names)('%s: export → import → export gives the same cast and the same bytes', async (name) => {
    const again = join(tmp.dir, `${name}-again.tar`);
    const imported = await run(['import', '--from', 'asciicast', cast(name), '-o', again]);
    expect(imported.code).toBe(0);
    const exported = await run(['export', again, '--format', 'asciicast']);
    expect(exported.stdout.toString()).toBe(readFileSync(cast(name), 'utf8'));
    const text1 = await run(['export', tar(name), '--format', 'text']);
    const text2 = await run(['export', again, '--format', 'text']);
    expect(text2.stdout.equals(text1.stdout)).toBe(true);
  });

  it('reads asciicast v3 (intervals, term size) and drops input and marker events, saying so', async () => {
    const file = join(tmp.dir, 'v3.cast');
    writeFileSync(file, [
      JSON.stringify({ version: 3, term: { cols: 100, rows: 30 }, timestamp: 1700000000, title: 'v3 demo' }),
      JSON.stringify([0.5, 'o', 'hello ']),
      JSON.stringify([0.25, 'i', 'x']),
      JSON.stringify([0.25, 'r', '120x40']),
      JSON.stringify([1, 'm', 'marker']),
      JSON.stringify([0, 'm', 'second marker']),
      JSON.stringify([0.125, 'o', 'world\r\n']),
      '',
    ].join('\n'));
    const out = join(tmp.dir, 'v3.tar');
    const imported = await run(['import', '--from', 'asciicast', file, '-o', out]);
    expect(imported.code).toBe(0);
    expect(imported.stderr.split('\n').filter((l) => l.includes('dropped'))).toEqual([
      `auditcast import: ${file}: 1 input ("i") event dropped (a Teleport recording has no place for them)`,
      `auditcast import: ${file}: 2 marker ("m") events dropped (a Teleport recording has no place for them)`,
    ]);
    const cast2 = (await run(['export', out, '-f', 'asciicast'])).stdout.toString().trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(cast2).toEqual([
      { version: 2, width: 100, height: 30, timestamp: 1700000000, title: 'v3 demo' },
      [0.5, 'o', 'hello '],
      [1, 'r', '120x40'],
      [2.125, 'o', 'world\r\n'],
    ]);
  });

  it('reports a bad event line with file and line number', async () => {
    const file = join(tmp.dir, 'bad.cast');
    writeFileSync(file, `${JSON.stringify({ version: 2, width: 80, height: 24 })}\n[0.1, "o", "ok"]\n[0.2, "o"\n`);
    const result = await run(['import', '--from', 'asciicast', file, '-o', join(tmp.dir, 'bad.tar')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(`auditcast import: ${file}:3: not a JSON event line`);
  });
});

// Keep the export's decoded text as asciinema would show it: a UTF-8 character split across
// two print events comes out whole.
describe('UTF-8 split across prints', () => {
  it('joins the character in the asciicast output', async () => {
    // A script capture whose 2-byte character is cut in half between two chunks.
    const typescript = Buffer.concat([Buffer.from('Script started on 2024-01-01 00:00:00+00:00 [COMMAND="x"]\n'), Buffer.from('aé', 'utf8')]);
    writeFileSync(join(tmp.dir, 'split.typescript'), typescript);
    writeFileSync(join(tmp.dir, 'split.timing'), '0.1 2\n0.1 1\n');
    const out = join(tmp.dir, 'split.tar');
    expect((await run(['import', '--from', 'script', join(tmp.dir, 'split.timing'), join(tmp.dir, 'split.typescript'), '-o', out])).code).toBe(0);
    const events = (await run(['export', out, '-f', 'asciicast'])).stdout.toString().trim().split('\n').slice(1).map((l) => JSON.parse(l) as unknown);
    expect(events).toEqual([[0.1, 'o', 'a'], [0.2, 'o', 'é']]);
  });
});
