// The full-text index of screen lines in PostgreSQL, next to the audit log, so every recorder and
// console of a fleet searches one index. Lines are rows (session, time offset, event index, text)
// with a pg_trgm GIN index on lower(text): a LIKE '%substring%' finds the candidate lines, read in
// time order a page at a time, and text-match.ts decides each (the phrase and prefix rules of the
// SQLite store), so both stores give the same hits. Without pg_trgm (no right to create the
// extension) the same queries run on a table scan.
import pg from 'pg';
import { badParameter } from '../errors.js';
import { checkOptions, type OptionsSchema } from '../options.js';
import { postgresLogConfig } from '../auditlog/postgres-config.js';
import { PostgresPool } from '../auditlog/postgres-pool.js';
import type { ScreenLine } from '../screen/screen-model.js';
import type { RecordingStamp } from './seek-file.js';
import type { IndexedSession, SearchHit, SearchOptions } from './text-index.js';
import { lineMatcher } from './text-match.js';
import type { TextStore } from './text-store.js';

const SESSIONS = 'recording_text_sessions';
const LINES = 'recording_text_lines';
/** Serializes schema creation among processes starting at once (pg_advisory_xact_lock key). */
const SCHEMA_LOCK = 0x61637478; // "actx"
const INSERT_BATCH = 1000;
/** Candidate rows read per query while collecting hits. */
const PAGE_ROWS = 500;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ${SESSIONS} (
    id bigserial PRIMARY KEY,
    session_id text NOT NULL UNIQUE,
    username text NOT NULL DEFAULT '',
    start_ms bigint NOT NULL DEFAULT 0,
    recording jsonb NOT NULL,
    lines integer NOT NULL DEFAULT 0,
    indexed_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS ${LINES} (
    id bigserial PRIMARY KEY,
    session bigint NOT NULL REFERENCES ${SESSIONS} (id) ON DELETE CASCADE,
    time_ms bigint NOT NULL,
    event_index bigint NOT NULL,
    text text NOT NULL
  );
  CREATE INDEX IF NOT EXISTS ${LINES}_session_idx ON ${LINES} (session);`;

const TRIGRAM_INDEX = `CREATE INDEX IF NOT EXISTS ${LINES}_text_trgm_idx ON ${LINES} USING gin (lower(text) gin_trgm_ops)`;

/** LIKE pattern that matches text containing `s` (backslash is LIKE's default escape). */
function containsPattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** PostgreSQL text cannot hold NUL; the screen shows it as a blank cell anyway. */
function storable(text: string): string {
  return text.includes('\0') ? text.replace(/\0/g, ' ') : text;
}

export interface PgTextIndexOptions {
  /** postgres:// URL (the audit log's; a #fragment of PostgresLog settings is ignored). */
  url: string;
  /** Connections (default 2). */
  poolSize?: number;
}

const OPTIONS: OptionsSchema<PgTextIndexOptions> = {
  url: { kind: 'string', nonEmpty: true, required: true },
  poolSize: { kind: 'integer', min: 1, max: 100 },
};

export class PgTextIndex implements TextStore {
  /** False when pg_trgm could not be created: searches scan the table. */
  trigram = false;

  private constructor(private readonly pool: PostgresPool) {}

  /** Connects and creates the tables when missing. */
  static async open(options: PgTextIndexOptions): Promise<PgTextIndex> {
    checkOptions('PgTextIndex', options, OPTIONS);
    const config = postgresLogConfig({ url: options.url, poolSize: options.poolSize ?? 2 });
    const pool = new PostgresPool(config, 'auditcast-text-index');
    const index = new PgTextIndex(pool);
    try {
      index.trigram = await index.withClient('create the text index tables', async (client) => {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
        await client.query('SAVEPOINT trgm');
        try {
          await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
        } catch {
          await client.query('ROLLBACK TO SAVEPOINT trgm');
        }
        await client.query(SCHEMA);
        const { rows } = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'");
        if (rows.length > 0) await client.query(TRIGRAM_INDEX);
        await client.query('COMMIT');
        return rows.length > 0;
      });
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
    return index;
  }

  private withClient<T>(what: string, run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.pool.withClient(what, run);
  }

  async session(sessionId: string): Promise<IndexedSession | null> {
    const { rows } = await this.withClient('read an indexed session', (client) => client.query<{
      session_id: string; username: string; start_ms: string; recording: RecordingStamp; lines: number;
    }>(`SELECT session_id, username, start_ms, recording, lines FROM ${SESSIONS} WHERE session_id = $1`, [sessionId]));
    const row = rows[0];
    if (!row) return null;
    return { sessionId: row.session_id, user: row.username, startMs: Number(row.start_ms), recording: row.recording, lines: row.lines };
  }

  async replaceSession(sessionId: string, recording: RecordingStamp,
    fill: (add: (line: ScreenLine) => void) => Promise<{ user: string; startMs: number }>): Promise<number> {
    return this.withClient(`index the text of session ${sessionId}`, async (client) => {
      await client.query('BEGIN');
      // The upsert locks the session's row until COMMIT: a second indexer of the same session waits
      // here, then deletes what the first wrote. One copy of the lines, whoever wins.
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO ${SESSIONS} (session_id, recording) VALUES ($1, $2)
         ON CONFLICT (session_id) DO UPDATE SET recording = EXCLUDED.recording, lines = 0, indexed_at = now()
         RETURNING id`, [sessionId, JSON.stringify(recording)]);
      const id = rows[0]!.id;
      await client.query(`DELETE FROM ${LINES} WHERE session = $1`, [id]);
      let total = 0;
      let batch: ScreenLine[] = [];
      let failure: unknown = null;
      // The screen model hands lines over synchronously; batches go out one after another.
      let written: Promise<void> = Promise.resolve();
      const send = () => {
        const lines = batch;
        batch = [];
        total += lines.length;
        written = written.then(async () => {
          if (failure !== null) return;
          try {
            await client.query(
              `INSERT INTO ${LINES} (session, time_ms, event_index, text)
               SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::text[])`,
              [id, lines.map((l) => Math.round(l.timeMs)), lines.map((l) => l.eventIndex), lines.map((l) => storable(l.text))]);
          } catch (err) {
            failure = err;
          }
        });
      };
      let info: { user: string; startMs: number };
      try {
        info = await fill((line) => {
          batch.push(line);
          if (batch.length >= INSERT_BATCH) send();
        });
      } finally {
        if (batch.length > 0) send();
        await written;
      }
      if (failure !== null) throw failure;
      await client.query(`UPDATE ${SESSIONS} SET lines = $2, username = $3, start_ms = $4 WHERE id = $1`,
        [id, total, info.user, Math.round(info.startMs)]);
      await client.query('COMMIT');
      return total;
    });
  }

  async search(pattern: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const matcher = lineMatcher(pattern);
    const limit = options.limit ?? 100;
    if (!(Number.isSafeInteger(limit) && limit > 0)) throw badParameter(`search limit must be a positive integer, got ${limit}`);
    const params: unknown[] = [containsPattern(matcher.substring)];
    const where = ['lower(l.text) LIKE $1'];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (options.sessionId !== undefined) add('s.session_id = ?', options.sessionId);
    if (options.fromMs !== undefined) add('l.time_ms >= ?', options.fromMs);
    if (options.toMs !== undefined) add('l.time_ms <= ?', options.toMs);
    if (options.fromEpochMs !== undefined) add('s.start_ms + l.time_ms >= ?', options.fromEpochMs);
    if (options.toEpochMs !== undefined) add('s.start_ms + l.time_ms <= ?', options.toEpochMs);
    const hits: SearchHit[] = [];
    let after: { at: string; id: string } | null = null;
    return this.withClient('search the text index', async (client) => {
      for (;;) {
        const page = [...params];
        let keyset = '';
        if (after) {
          page.push(after.at, after.id);
          keyset = ` AND (s.start_ms + l.time_ms, l.id) > ($${page.length - 1}::bigint, $${page.length}::bigint)`;
        }
        page.push(PAGE_ROWS);
        const { rows } = await client.query<{
          id: string; at: string; session_id: string; username: string; start_ms: string; time_ms: string; event_index: string; text: string;
        }>(`SELECT l.id, s.start_ms + l.time_ms AS at, s.session_id, s.username, s.start_ms, l.time_ms, l.event_index, l.text
            FROM ${LINES} l JOIN ${SESSIONS} s ON s.id = l.session
            WHERE ${where.join(' AND ')}${keyset}
            ORDER BY s.start_ms + l.time_ms, l.id
            LIMIT $${page.length}`, page);
        for (const r of rows) {
          if (!matcher.matches(r.text)) continue;
          hits.push({
            sessionId: r.session_id, user: r.username, sessionStartMs: Number(r.start_ms), timeMs: Number(r.time_ms),
            eventIndex: Number(r.event_index), text: r.text,
          });
          if (hits.length === limit) return hits;
        }
        if (rows.length < PAGE_ROWS) return hits;
        const last = rows[rows.length - 1]!;
        after = { at: last.at, id: last.id };
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
