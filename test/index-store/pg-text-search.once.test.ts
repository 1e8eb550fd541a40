// The full-text index in PostgreSQL against the SQLite one: the same corpus sessions and Teleport
// fixtures indexed into both, the same patterns (phrases, prefixes, substrings inside words, range
// filters) give the same hits in the same order; indexing again, even by two indexers at once,
// leaves one copy of each line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgTextIndex } from '../../lib/index-store/pg-text-index.js';
import { RecordingIndex } from '../../lib/index-store/recording-index.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres-cluster.js';
import { SESSION_NAMES, sessionRecording } from '../helpers/screen-sessions.js';

let dir: string;
let cluster: PostgresCluster;
let url: string;
let sqlite: RecordingIndex;
let postgres: RecordingIndex;

const lineCount = async () => Number((await cluster.sql('grep', 'SELECT count(*) AS n FROM recording_text_lines')).rows[0]!.n);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auditcast-pggrep-'));
  cluster = await startPostgres();
  url = await cluster.createDatabase('grep');
  sqlite = new RecordingIndex({ dir: join(dir, 'sqlite') });
  postgres = new RecordingIndex({ dir: join(dir, 'pg'), text: await PgTextIndex.open({ url }) });
  for (const name of SESSION_NAMES) {
    const file = join(dir, `${name}.tar`);
    writeFileSync(file, await sessionRecording(name, 20));
    await sqlite.indexRecording(name, file);
    await postgres.indexRecording(name, file);
  }
}, 180_000);

afterAll(async () => {
  await sqlite?.close();
  await postgres?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Phrases, prefixes, punctuation, words that also occur inside other words, case, and misses.
const PATTERNS = [
  'ls -la /etc', 'adduser.conf', 'System restart required', 'restart required', 'required restart', 'vi main.go',
  'func creds', 'npm install', 'npm inst*', 'added 1397 packages', 'rjones', 'rjones*', 'RJONES', 'r*', 'e', 'in', 'at',
  'module to find differences between files (XS accelerated)', '/usr/share/doc/dpkg', 'share/doc*', 'doc', 'go', 'conf',
  'packages', 'pack*', 'no-such-text-anywhere', 'etc passwd', '$', 'x*',
];

describe('PostgreSQL text index (real PostgreSQL)', () => {
  it('refuses bad options with a coded error, before connecting', async () => {
    for (const [options, message] of [
      [null, /^PgTextIndex: options must be an object/], [{}, /^PgTextIndex: option url is required/],
      [{ url, poolSize: 0 }, /^PgTextIndex: option poolSize must be an integer/], [{ url, pool: 2 }, /^PgTextIndex: unknown option "pool"/],
      [{ url: 'mysql://x/y' }, /url must start with postgres:\/\//],
    ] as const) {
      await expect(PgTextIndex.open(options as never)).rejects.toMatchObject({ code: 'BAD_PARAMETER', message: expect.stringMatching(message) });
    }
    await expect(PgTextIndex.open({ url: url.replace(/:[^:@/]*@/, ':wrong@') })).rejects.toMatchObject({ code: 'ACCESS_DENIED' });
  });

  it('creates pg_trgm and its trigram index', async () => {
    const { rows } = await cluster.sql('grep', "SELECT indexname FROM pg_indexes WHERE tablename = 'recording_text_lines'");
    expect(rows.map((r) => r.indexname)).toContain('recording_text_lines_text_trgm_idx');
  });

  it.each(PATTERNS)('%j: the same hits as SQLite FTS5, in the same order', async (pattern) => {
    const search = (index: RecordingIndex) => index.search(pattern, { limit: 5000 }).catch((err: Error & { code?: string }) => err.code);
    const expected = await search(sqlite);
    expect(await search(postgres)).toEqual(expected);
  });

  it('finds text typed and shown in the corpus and Teleport sessions, with filters', async () => {
    for (const [session, phrase] of [['typing', 'ls -la /etc'], ['vim', 'System restart required'], ['npm', 'npm inst*'], ['build', '/usr/share/doc/dpkg']]) {
      const hits = await postgres.search(phrase!, { sessionId: session });
      expect(hits.length, phrase).toBeGreaterThan(0);
      expect(hits).toEqual(await sqlite.search(phrase!, { sessionId: session }));
    }
    const all = await postgres.search('rjones', { sessionId: 'vim', limit: 1000 });
    const middle = all[Math.floor(all.length / 2)]!.timeMs;
    for (const options of [{ fromMs: middle }, { toMs: middle }, { fromEpochMs: all[0]!.sessionStartMs + middle }, { limit: 3 }, { limit: 1 }]) {
      const hits = await postgres.search('rjones', { sessionId: 'vim', limit: 1000, ...options });
      expect(hits.length).toBeGreaterThan(0);
      expect(hits).toEqual(await sqlite.search('rjones', { sessionId: 'vim', limit: 1000, ...options }));
    }
    expect(await postgres.search('rjones', { sessionId: 'no-such-session' })).toEqual([]);
  });

  it('indexing a session again, or by two indexers at once, keeps one copy of its lines', async () => {
    const before = await lineCount();
    const hits = await postgres.search('adduser.conf', { limit: 1000 });
    const file = join(dir, 'typing.tar');
    const r = await postgres.indexRecording('typing', file, { force: true });
    expect(r.lines).toBeGreaterThan(0);
    expect(await lineCount()).toBe(before);
    // A second recorder host with its own index dir, same database, both rebuilding at once.
    const other = new RecordingIndex({ dir: join(dir, 'pg2'), text: await PgTextIndex.open({ url }) });
    try {
      await Promise.all([other.indexRecording('typing', file, { force: true }), postgres.indexRecording('typing', file, { force: true })]);
    } finally {
      await other.close();
    }
    expect(await lineCount()).toBe(before);
    expect(await postgres.search('adduser.conf', { limit: 1000 })).toEqual(hits);
    // A fresh index is not rebuilt: the stamp in PostgreSQL says so.
    expect((await postgres.indexRecording('typing', file)).rebuilt).toBe(false);
  });
});
