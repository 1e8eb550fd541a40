// lineMatcher restates what the SQLite store's FTS5 query matches (stores that can only pre-filter,
// like PostgreSQL's, decide with it). Checked against FTS5 itself on lines built to hit the edges:
// underscores and symbols between words, accents, combining marks, private-use characters, case
// beyond ASCII, words inside words, prefixes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend } from '../../lib/codec/index.js';
import { TextIndex } from '../../lib/index-store/text-index.js';
import { lineMatcher, unicode61Tokens } from '../../lib/index-store/text-match.js';

const PIECES = ['kubectl', 'Kubectl', 'delete', 'del', 'pod', 'pods', 'ls', '-la', '/etc', 'foo_bar', 'foo', 'bar', 'École', 'école',
  'ÉCOLE', 'e\u0301cole', 'naïve', 'straße', 'STRASSE', 'x\ue000y', 'xy', '$HOME', 'a+b', 'rm -rf', 'concatenate', 'cat', 'Ⅻ', '²', '日本語', 'İstanbul'];
const SEPARATORS = [' ', '  ', '.', '/', '_', '|', '\t', '-', '', '\u3000'];

/** A deterministic pseudo-random generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const next = random(20261201);
const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
const LINES = Array.from({ length: 3000 }, () => Array.from({ length: 1 + Math.floor(next() * 5) }, () => pick(PIECES) + pick(SEPARATORS)).join(''));
const PATTERNS = [
  ...PIECES, 'kubectl del*', 'kubectl delete pod', 'del*', 'foo bar', 'foo_bar*', 'ecole', 'école*', 'e\u0301cole', 'strasse', 'straße',
  'x y', 'xy', 'home', 'a b', 'rm -rf', 'cat*', 'ls -la', 'ls -la /etc', '日本', '日本語', 'istanbul', 'İstanbul', 'pod*', 'b',
];

let dir: string;
let text: TextIndex;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditcast-match-'));
  text = TextIndex.open(dir);
  await text.replaceSession('s', { size: 0, mtimeMs: 0, tailHash: '' }, async (add) => {
    LINES.forEach((line, i) => add({ text: line, timeMs: i, eventIndex: i }));
    return { user: 'u', startMs: 0 };
  });
});

afterAll(() => {
  text.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`lineMatcher against SQLite FTS5 (${backend} backend)`, () => {
  it.each(PATTERNS)('%j matches the lines FTS5 finds', (pattern) => {
    const fts = text.search(pattern, { limit: LINES.length }).map((h) => h.text);
    const ours = LINES.filter((line) => lineMatcher(pattern).matches(line));
    expect(ours).toEqual(fts);
  });

  it('tokens as unicode61 makes them', () => {
    expect(unicode61Tokens('foo_bar $HOME a+b x\ue000y É\u0301')).toEqual(['foo', 'bar', 'home', 'a', 'b', 'xy', 'é\u0301']);
    expect(() => lineMatcher('--')).toThrow(expect.objectContaining({ code: 'BAD_PARAMETER' }));
  });
});
