import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../lib/codec/index.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import { parsePattern } from '../../lib/index-store/text-index.js';
import { ScreenModel } from '../../lib/screen/screen-model.js';
import { SESSION_NAMES, type SessionName, sessionEvents, sessionRecording } from '../helpers/screen-sessions.js';

let dir: string;
let index: RecordingIndex;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditcast-grep-'));
  index = new RecordingIndex({ dir: join(dir, 'index') });
  for (const name of SESSION_NAMES) {
    const file = join(dir, `${name}.tar`);
    writeFileSync(file, await sessionRecording(name, 20));
    await index.indexRecording(name, file);
  }
});

afterAll(() => {
  index.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Whether rows show `text` (on one row, or across wrapped rows). */
function shows(rows: string[], text: string): boolean {
  return rows.join('\n').includes(text) || rows.join('').includes(text);
}

/** Event k's output as text, escape sequences removed. */
function plainOutput(data: Uint8Array): string {
  return Buffer.from(data).toString('utf8').replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]/g, '');
}

/** The screen's rows just before and just after event `k` of a session, its output and its time. */
function around(name: SessionName, k: number): { before: string[]; after: string[]; output: string; timeMs: number } {
  const model = new ScreenModel();
  let before: string[] = [];
  let timeMs = -1;
  let output = '';
  for (const event of sessionEvents(name)) {
    const last = event.Metadata.Index === k;
    if (last) {
      before = model.rowTexts();
      timeMs = model.timeOf(event);
      output = event.Data instanceof Uint8Array ? plainOutput(event.Data) : '';
    }
    model.apply(event);
    if (last) break;
  }
  const after = model.rowTexts();
  model.dispose();
  return { before, after, output, timeMs };
}

// Text typed (one key per print in `typing` and the Teleport sessions) and text shown by programs.
const CASES: [SessionName, string][] = [
  ['typing', 'ls -la /etc'],
  ['typing', 'adduser.conf'],
  ['vim', 'System restart required'],
  ['vim', 'vi main.go'],
  ['vim', 'func creds'],
  ['npm', 'npm install'],
  ['npm', 'added 1397 packages'],
  ['build', 'module to find differences between files (XS accelerated)'],
  ['build', '/usr/share/doc/dpkg'],
];

describe(`full-text search of screen text (${backend} backend)`, () => {
  it.each(CASES)('%s: finds %j at the print event that showed it', async (name, phrase) => {
    const hits = await index.search(phrase, { sessionId: name });
    expect(hits.length).toBeGreaterThan(0);
    const hit = hits[0]!;
    expect(hit.text.toLowerCase()).toContain(phrase.toLowerCase());
    const at = around(name, hit.eventIndex);
    // The line as found was complete after that event and not before it.
    const line = hit.text.trimEnd();
    // Not complete on the screen before that event; that event wrote its end (and it is on the
    // screen after it, unless the same event scrolled it away).
    expect(shows(at.before, line)).toBe(false);
    const typed = at.output.trimEnd();
    expect(at.output.includes(line.slice(-6)) || typed !== '' && line.endsWith(typed)).toBe(true);
    if (!shows(at.after, line)) expect(at.output).toContain(line.slice(-40));
    expect(hit.timeMs).toBe(at.timeMs);
  });

  it('a prefix query, results ordered by time across sessions, user and session start', async () => {
    const hits = await index.search('npm inst*');
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => /npm inst/i.test(h.text))).toBe(true);
    const all = await index.search('rjones*', { limit: 1000 });
    expect(new Set(all.map((h) => h.sessionId))).toEqual(new Set(['vim', 'npm']));
    const times = all.map((h) => h.sessionStartMs + h.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(all[0]!.user).toBe('rjones');
  });

  it('a phrase matches its words in order only, and the offset range filters', async () => {
    expect((await index.search('restart required')).length).toBeGreaterThan(0);
    expect(await index.search('required restart')).toHaveLength(0);
    const all = await index.search('rjones', { sessionId: 'vim', limit: 1000 });
    const middle = all[Math.floor(all.length / 2)]!.timeMs;
    const late = await index.search('rjones', { sessionId: 'vim', fromMs: middle, limit: 1000 });
    expect(late.length).toBeGreaterThan(0);
    expect(late.length).toBeLessThan(all.length);
    expect(late.every((h) => h.timeMs >= middle)).toBe(true);
  });

  it('indexing a session again replaces its lines', async () => {
    const before = await index.search('adduser.conf', { limit: 1000 });
    await index.indexRecording('typing', join(dir, 'typing.tar'), { force: true });
    expect(await index.search('adduser.conf', { limit: 1000 })).toEqual(before);
  });

  it('a pattern without words is a bad parameter', () => {
    expect(() => parsePattern(' -- ')).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
    expect(parsePattern('kubectl del*')).toEqual({ match: '"kubectl del"*', substring: 'kubectl del' });
  });
});
