// The full-text index of screen lines: SQLite FTS5 through better-sqlite3, an optional dependency
// (without it, opening says so in one line). Lines live in a plain table (session, time offset,
// event index, text); a contentless FTS5 table indexes their words. A query is a phrase (the words
// of the pattern, in order; a trailing `*` makes the last one a prefix), checked again as a plain
// case-insensitive substring so results match what was on the screen, like grep.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AuditcastError, badParameter } from '../errors.js';
import type { ScreenLine } from '../screen/screen-model.js';
import type { RecordingStamp } from './seek-file.js';

// The part of better-sqlite3's API used here (its types are not a dependency).
interface Statement {
  run(...params: unknown[]): { lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface Database {
  readonly name: string;
  readonly inTransaction: boolean;
  prepare(sql: string): Statement;
  exec(sql: string): void;
  pragma(sql: string): unknown;
  close(): void;
}
type Driver = new (file: string) => Database;

export const TEXT_INDEX_FILE = 'text.sqlite';
const SCHEMA_VERSION = '1';

export interface SearchOptions {
  /** Only this session. */
  sessionId?: string;
  /** Offsets in the session (milliseconds since its start), inclusive. */
  fromMs?: number;
  toMs?: number;
  /** Absolute times (epoch milliseconds: session start + offset), inclusive. */
  fromEpochMs?: number;
  toEpochMs?: number;
  /** At most this many hits (default 100). */
  limit?: number;
}

export interface SearchHit {
  sessionId: string;
  user: string;
  /** Epoch milliseconds of the session start (0 if unknown). */
  sessionStartMs: number;
  /** Milliseconds since the session start. */
  timeMs: number;
  eventIndex: number;
  text: string;
}

export interface IndexedSession {
  sessionId: string;
  user: string;
  startMs: number;
  recording: RecordingStamp;
  lines: number;
}

function loadDriver(): Driver {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as Driver;
  } catch (err) {
    throw new AuditcastError('UNSUPPORTED', `full-text search needs the optional package better-sqlite3, which is not installed or did not build (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
}

/** Pattern -> FTS5 phrase query and the substring every hit must contain. */
export function parsePattern(pattern: string): { match: string; substring: string } {
  const trimmed = pattern.trim();
  const prefix = trimmed.endsWith('*');
  const substring = (prefix ? trimmed.slice(0, -1) : trimmed).trim();
  // The words FTS5's unicode61 tokenizer sees: letters and digits (other characters separate).
  const words = substring.match(/[\p{L}\p{N}\p{M}_]+/gu) ?? [];
  if (words.length === 0) throw badParameter(`search pattern ${JSON.stringify(pattern)} has no words to look for`);
  const match = `"${words.join(' ').replace(/"/g, '""')}"${prefix ? '*' : ''}`;
  return { match, substring: substring.toLowerCase() };
}

export class TextIndex {
  private readonly db: Database;
  private readonly insertLine: Statement;
  private readonly insertWords: Statement;

  private constructor(db: Database) {
    this.db = db;
    this.insertLine = db.prepare('INSERT INTO lines (sid, time_ms, event_index, text) VALUES (?, ?, ?, ?)');
    this.insertWords = db.prepare('INSERT INTO words (rowid, text) VALUES (?, ?)');
  }

  /** Opens (creating) `<dir>/text.sqlite`. UNSUPPORTED when better-sqlite3 is missing. */
  static open(dir: string): TextIndex {
    const Driver = loadDriver();
    const db = new Driver(path.join(dir, TEXT_INDEX_FILE));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS sessions (
          id INTEGER PRIMARY KEY, session_id TEXT NOT NULL UNIQUE, user TEXT NOT NULL, start_ms INTEGER NOT NULL,
          recording TEXT NOT NULL, lines INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS lines (
          rowid INTEGER PRIMARY KEY, sid INTEGER NOT NULL, time_ms INTEGER NOT NULL, event_index INTEGER NOT NULL, text TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS lines_sid ON lines (sid);
        CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5 (text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
      `);
      const version = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
      if (!version) db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
      else if (version.value !== SCHEMA_VERSION) throw new AuditcastError('UNSUPPORTED', `text index ${db.name}: schema ${version.value}, expected ${SCHEMA_VERSION}`);
      return new TextIndex(db);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  session(sessionId: string): IndexedSession | null {
    const row = this.db.prepare('SELECT session_id, user, start_ms, recording, lines FROM sessions WHERE session_id = ?').get(sessionId) as
      { session_id: string; user: string; start_ms: number; recording: string; lines: number } | undefined;
    if (!row) return null;
    return { sessionId: row.session_id, user: row.user, startMs: row.start_ms, recording: JSON.parse(row.recording) as RecordingStamp, lines: row.lines };
  }

  /**
   * Replaces a session's lines. `fill` is called with an `add` function, adds every line and then
   * returns the session's user and start; all in one transaction (readers see old or new lines).
   */
  async replaceSession(sessionId: string, recording: RecordingStamp,
    fill: (add: (line: ScreenLine) => void) => Promise<{ user: string; startMs: number }>): Promise<number> {
    const lines: ScreenLine[] = [];
    let total = 0;
    const begin = this.db.prepare('BEGIN IMMEDIATE');
    const commit = this.db.prepare('COMMIT');
    begin.run();
    try {
      this.deleteSession(sessionId);
      const sid = Number(this.db.prepare("INSERT INTO sessions (session_id, user, start_ms, recording, lines) VALUES (?, '', 0, ?, 0)")
        .run(sessionId, JSON.stringify(recording)).lastInsertRowid);
      const flush = () => {
        for (const line of lines) {
          const rowid = this.insertLine.run(sid, Math.round(line.timeMs), line.eventIndex, line.text).lastInsertRowid;
          this.insertWords.run(rowid, line.text);
        }
        total += lines.length;
        lines.length = 0;
      };
      const info = await fill((line) => {
        lines.push(line);
        if (lines.length >= 1000) flush();
      });
      flush();
      this.db.prepare('UPDATE sessions SET lines = ?, user = ?, start_ms = ? WHERE id = ?').run(total, info.user, Math.round(info.startMs), sid);
      commit.run();
      return total;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  private deleteSession(sessionId: string): void {
    const row = this.db.prepare('SELECT id FROM sessions WHERE session_id = ?').get(sessionId) as { id: number } | undefined;
    if (!row) return;
    this.db.prepare('DELETE FROM words WHERE rowid IN (SELECT rowid FROM lines WHERE sid = ?)').run(row.id);
    this.db.prepare('DELETE FROM lines WHERE sid = ?').run(row.id);
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(row.id);
  }

  /** Lines that contain the pattern, ordered by time (session start + offset). */
  search(pattern: string, options: SearchOptions = {}): SearchHit[] {
    const { match, substring } = parsePattern(pattern);
    const limit = options.limit ?? 100;
    if (!(Number.isSafeInteger(limit) && limit > 0)) throw badParameter(`search limit must be a positive integer, got ${limit}`);
    const where = ['words MATCH @match', 'instr(lower(l.text), @substring) > 0'];
    const params: Record<string, unknown> = { match, substring, limit };
    if (options.sessionId !== undefined) {
      where.push('s.session_id = @session');
      params.session = options.sessionId;
    }
    if (options.fromMs !== undefined) {
      where.push('l.time_ms >= @from');
      params.from = options.fromMs;
    }
    if (options.toMs !== undefined) {
      where.push('l.time_ms <= @to');
      params.to = options.toMs;
    }
    if (options.fromEpochMs !== undefined) {
      where.push('s.start_ms + l.time_ms >= @fromEpoch');
      params.fromEpoch = options.fromEpochMs;
    }
    if (options.toEpochMs !== undefined) {
      where.push('s.start_ms + l.time_ms <= @toEpoch');
      params.toEpoch = options.toEpochMs;
    }
    const rows = this.db.prepare(`
      SELECT s.session_id, s.user, s.start_ms, l.time_ms, l.event_index, l.text
      FROM words JOIN lines l ON l.rowid = words.rowid JOIN sessions s ON s.id = l.sid
      WHERE ${where.join(' AND ')}
      ORDER BY s.start_ms + l.time_ms, l.rowid
      LIMIT @limit`).all(params) as { session_id: string; user: string; start_ms: number; time_ms: number; event_index: number; text: string }[];
    return rows.map((r) => ({
      sessionId: r.session_id, user: r.user, sessionStartMs: r.start_ms, timeMs: r.time_ms, eventIndex: r.event_index, text: r.text,
    }));
  }

  close(): void {
    this.db.close();
  }
}
