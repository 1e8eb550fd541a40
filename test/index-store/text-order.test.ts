// The text index's layout (blocks of lines with time-ordered rowids, written in batches) against
// a plain model of what search must return: every line that shows the text, in time order.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../lib/codec/index.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import { BLOCK_LINES, type SearchHit, TextIndex } from '../../lib/index-store/text-index.js';
import type { ScreenLine } from '../../lib/screen/screen-model.js';
import { sessionRecording } from '../helpers/screen-sessions.js';

const STAMP = { size: 0, mtimeMs: 0, tailHash: '' };
const DAY = Date.UTC(2026, 0, 1);

let dir: string;
let text: TextIndex;

/** Session s: starts s minutes after DAY (in a shuffled insertion order), lines every 7 ms. */
function sessionLines(s: number, count: number): ScreenLine[] {
  return Array.from({ length: count }, (_, i) => ({
    text: i % 3 === 0 ? `root@host:~# ls ${s}-${i}` : i % 3 === 1 ? `total ${i}` : `drwxr-xr-x 2 root root 4096 dir${i}`,
    // Not monotonic: a line can have been completed before the one handed out before it.
    timeMs: i * 7 + (i % 5 === 0 ? -3 : 0),
    eventIndex: i + 1,
  })).map((l) => ({ ...l, timeMs: Math.max(0, l.timeMs) }));
}

const SESSIONS = [3, 0, 2, 1];
const LINES = 3 * BLOCK_LINES + 17;
const startOf = (s: number) => DAY + s * 500; // overlapping sessions: lines interleave in time

function expected(match: (line: string) => boolean, filter: (h: SearchHit) => boolean = () => true): SearchHit[] {
  const all: (SearchHit & { at: number })[] = [];
  for (const s of SESSIONS) {
    for (const l of sessionLines(s, LINES)) {
      const hit = { sessionId: `s${s}`, user: `u${s}`, sessionStartMs: startOf(s), timeMs: l.timeMs, eventIndex: l.eventIndex, text: l.text, at: startOf(s) + l.timeMs };
      if (match(l.text) && filter(hit)) all.push(hit);
    }
  }
  return all.sort((a, b) => a.at - b.at).map(({ at: _at, ...h }) => h);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditcast-text-order-'));
  text = TextIndex.open(dir);
  for (const s of SESSIONS) {
    await text.replaceSession(`s${s}`, STAMP, async (add) => {
      for (const line of sessionLines(s, LINES)) add(line, startOf(s));
      return { user: `u${s}`, startMs: startOf(s) };
    });
  }
});

afterAll(() => {
  text.close();
  rmSync(dir, { recursive: true, force: true });
});

const key = (h: SearchHit) => `${h.sessionStartMs + h.timeMs}`;

describe(`text index: blocks in time order (${backend} backend)`, () => {
  it('a word on most lines: the first N by time across sessions, as a full sort would give', () => {
    for (const limit of [1, 10, 100, 1000]) {
      const hits = text.search('root', { limit });
      const want = expected((t) => t.includes('root')).slice(0, limit);
      expect(hits.map(key)).toEqual(want.map(key));
      expect(new Set(hits.map((h) => `${h.sessionId}:${h.eventIndex}`)).size).toBe(hits.length);
      for (const h of hits) expect(h.text).toContain('root');
    }
  });

  it('a rare phrase, a session, and absolute and offset ranges filter exactly', () => {
    expect(text.search('ls 2-30', { limit: 10 }).map((h) => [h.sessionId, h.text])).toEqual([['s2', 'root@host:~# ls 2-30']]);
    const from = DAY + 900;
    const to = DAY + 1400;
    const ranged = text.search('total', { fromEpochMs: from, toEpochMs: to, limit: 10_000 });
    const want = expected((t) => t.includes('total'), (h) => h.sessionStartMs + h.timeMs >= from && h.sessionStartMs + h.timeMs <= to);
    expect(ranged.map(key)).toEqual(want.map(key));
    expect(ranged.length).toBeGreaterThan(10);
    const one = text.search('drwxr', { sessionId: 's1', fromMs: 100, toMs: 800, limit: 10_000 });
    expect(one.map(key)).toEqual(expected((t) => t.includes('drwxr'), (h) => h.sessionId === 's1' && h.timeMs >= 100 && h.timeMs <= 800).map(key));
  });

  it('a build in progress is not searched; finishing it replaces the old lines at once; an aborted one leaves nothing', () => {
    const before = text.search('root', { sessionId: 's0', limit: 10_000 });
    const build = text.beginSession('s0', STAMP);
    for (let i = 0; i < 40_000; i++) build.add({ text: `newer output ${i}`, timeMs: i, eventIndex: i }, startOf(0));
    expect(text.search('newer output', { limit: 5 })).toEqual([]);
    expect(text.search('root', { sessionId: 's0', limit: 10_000 })).toEqual(before);
    expect(build.finish({ user: 'u0', startMs: startOf(0) })).toBe(40_000);
    expect(text.search('root', { sessionId: 's0', limit: 10 })).toEqual([]);
    expect(text.search('newer output', { limit: 3 }).map((h) => h.text)).toEqual(['newer output 0', 'newer output 1', 'newer output 2']);
    expect(text.session('s0')!.lines).toBe(40_000);
    const aborted = text.beginSession('s9', STAMP);
    aborted.add({ text: 'never seen', timeMs: 0, eventIndex: 0 }, DAY);
    aborted.abort();
    expect(text.search('never seen')).toEqual([]);
    expect(text.session('s9')).toBeNull();
  });
});

describe(`recording index: stale recordings and one build at a time (${backend} backend)`, () => {
  let root: string;
  let index: RecordingIndex;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'auditcast-stale-'));
    index = new RecordingIndex({ dir: join(root, 'index') });
    writeFileSync(join(root, 'typing.tar'), await sessionRecording('typing'));
    writeFileSync(join(root, 'vim.tar'), await sessionRecording('vim'));
  });
  afterAll(() => {
    index.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('lists recordings never indexed and indexed ones whose file changed since', async () => {
    const files = [{ sessionId: 'typing', path: join(root, 'typing.tar') }, { sessionId: 'vim', path: join(root, 'vim.tar') }];
    expect((await index.staleRecordings(files)).map((r) => r.sessionId)).toEqual(['typing', 'vim']);
    await index.indexRecording('typing', files[0]!.path);
    expect((await index.staleRecordings(files)).map((r) => r.sessionId)).toEqual(['vim']);
    // Known from the index alone (as `index --recordings DIR` leaves it), and touched since.
    utimesSync(files[0]!.path, new Date(), new Date(Date.now() + 5000));
    expect((await index.staleRecordings([])).map((r) => r.sessionId)).toEqual(['typing']);
  });

  it('a second build of the same session waits for the first and finds it fresh; a dead builder\'s lock is taken over', async () => {
    const other = new RecordingIndex({ dir: join(root, 'index') }); // another process, as far as locks go
    const file = join(root, 'vim.tar');
    let waited = 0;
    const [a, b] = await Promise.all([
      index.indexRecording('vim', file, { force: true }),
      new Promise((r) => setTimeout(r, 20)).then(() => other.indexRecording('vim', file, { onWait: () => waited++ })),
    ]);
    other.close();
    expect(a.rebuilt).toBe(true);
    expect([waited, b.rebuilt]).toEqual([1, false]);
    expect(b.lines).toBe(a.lines);
    // A lock left by a process that is gone.
    const { spawnSync } = await import('node:child_process');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(`${index.seekPath('vim')}.lock`, JSON.stringify({ pid: Number(gone), host: (await import('node:os')).hostname() }));
    const again = await index.indexRecording('vim', file, { force: true, onWait: () => { throw new Error('waited for a dead builder'); } });
    expect(again.rebuilt).toBe(true);
  });
});
