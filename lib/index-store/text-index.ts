// The full-text index of screen lines: SQLite FTS5 through better-sqlite3, an optional dependency
// (without it, opening says so in one line).
//
// Lines are stored in blocks (up to BLOCK_LINES consecutive lines of a session, spanning at most
// BLOCK_SPAN_MS): one row of text (lines joined by "\n") with their times and event indexes packed,
// and one contentless FTS5 row of the same text. A row per block instead of per line makes inserts
// several times cheaper (FTS5's cost is per row as much as per word).
//
// A block's rowid orders it in time across sessions: (session start + its earliest line, in ms) x
// 2^SLOT_BITS + a slot. FTS5 returns matches in rowid order and can stop early, so "the first 100
// lines by time" of a word on millions of lines reads a few blocks instead of sorting every match.
//
// A query is a phrase (the words of the pattern, in order; a trailing `*` makes the last one a
// prefix) that selects blocks; each line of a block is then checked on its own (text-match.ts:
// the same phrase, and the substring), so results are the lines FTS5 would match one by one.
//
// A session is written in batches of short transactions while it is indexed (readers and other
// indexing processes are never blocked for long) and becomes visible in one step at the end, when
// its previous lines are dropped: readers see the old lines or the new ones.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { AuditcastError, badParameter } from '../errors.js';
import type { ScreenLine } from '../screen/screen-model.js';
import type { RecordingStamp } from './seek-file.js';
import { lineMatcher } from './text-match.js';

// The part of better-sqlite3's API used here (its types are not a dependency).
interface Statement {
  run(...params: unknown[]): { lastInsertRowid: number | bigint; changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  safeIntegers(on?: boolean): Statement;
}
interface Database {
  readonly name: string;
  readonly inTransaction: boolean;
  prepare(sql: string): Statement;
  exec(sql: string): void;
  pragma(sql: string): unknown;
  close(): void;
}
type Driver = new (file: string, options?: { timeout?: number }) => Database;

export const TEXT_INDEX_FILE = 'text.sqlite';
const SCHEMA_VERSION = '2';

/** Lines per block, and the most session time one block spans. */
export const BLOCK_LINES = 64;
export const BLOCK_SPAN_MS = 60_000;
/** Blocks that can start in one millisecond (2^19; more spill into the next milliseconds). */
const SLOT_BITS = 19n;
const SLOTS = 1n << SLOT_BITS;
/** Lines (or text bytes) buffered before they are written in one transaction. */
const BATCH_LINES = 16_384;
const BATCH_CHARS = 4 * 1024 * 1024;
/** How long a writer waits for another process's transaction (they are short). */
const BUSY_TIMEOUT_MS = 30_000;

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
  /** The recording file it was indexed from (null or missing when not known). */
  path?: string | null;
  lines: number;
}

function loadDriver(): Driver {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as Driver;
  } catch (err) {
    throw new AuditcastError('UNSUPPORTED', `full-text search needs the optional package better-sqlite3, which is not installed or did not build (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
}

/** SQLite's failures to open or set up the index file, coded and naming the file (its own message names neither). */
function sqliteError(file: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (err instanceof AuditcastError || typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  const words = (err as Error).message;
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) {
    return new AuditcastError('ACCESS_DENIED', `${file}: cannot open the full-text index: ${words}`, { cause: err });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) {
    return new AuditcastError('CORRUPTED', `${file}: the full-text index is damaged: ${words} (delete it; it is rebuilt from the recordings)`, { cause: err });
  }
  if (code.startsWith('SQLITE_FULL')) return new AuditcastError('LIMIT_EXCEEDED', `${file}: ${words}`, { cause: err });
  return new AuditcastError('CONNECTION_PROBLEM', `${file}: ${words}`, { cause: err });
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

/** The millisecond a rowid's block is ordered by. */
function bucketOf(rowid: bigint): number {
  return Number(rowid >> SLOT_BITS);
}

function firstRowid(ms: number): bigint {
  return BigInt(Math.max(0, Math.floor(ms))) << SLOT_BITS;
}

interface Block {
  rowid: bigint;
  text: string;
  /** timeMs, eventIndex per line. */
  meta: Buffer;
}

interface SessionRow {
  id: number;
  session_id: string;
  user: string;
  start_ms: number;
  order_ms: number;
}

/**
 * One session being indexed: `add` lines as the screen model hands them out, then `finish` (the
 * session replaces its previous lines) or `abort` (nothing of it stays).
 */
export class SessionBuild {
  private lines: ScreenLine[] = [];
  private chars = 0;
  private orderMs: number | null = null;
  private total = 0;
  private minRowid: bigint | null = null;
  private maxRowid: bigint | null = null;
  private done = false;

  constructor(private readonly index: TextIndex, readonly sessionId: string, private readonly sid: number) {}

  /** Adds a line; `sessionStartMs` (epoch ms, 0 if unknown) places it in time across sessions. */
  add(line: ScreenLine, sessionStartMs: number): void {
    this.orderMs ??= Math.round(sessionStartMs);
    this.lines.push(line);
    this.chars += line.text.length;
    if (this.lines.length >= BATCH_LINES || this.chars >= BATCH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    const lines = this.lines;
    this.lines = [];
    this.chars = 0;
    this.total += lines.length;
    const range = this.index.writeBlocks(this.sid, this.orderMs ?? 0, lines);
    if (this.minRowid === null || range.min < this.minRowid) this.minRowid = range.min;
    if (this.maxRowid === null || range.max > this.maxRowid) this.maxRowid = range.max;
  }

  /** Writes what is left and makes the session's new lines the ones searched; returns their count. */
  finish(info: { user: string; startMs: number }): number {
    this.flush();
    this.done = true;
    this.index.publish(this.sid, this.sessionId, { ...info, orderMs: this.orderMs ?? info.startMs, lines: this.total, minRowid: this.minRowid, maxRowid: this.maxRowid });
    return this.total;
  }

  /** Drops what was written of this build. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.index.dropSession(this.sid);
  }
}

export class TextIndex {
  private readonly db: Database;
  private readonly insertBlock: Statement;
  private readonly insertWords: Statement;
  private readonly lastInBucket: Statement;
  private readonly sessionById: Statement;

  private constructor(db: Database) {
    this.db = db;
    this.insertBlock = db.prepare('INSERT INTO blocks (rowid, sid, meta, text) VALUES (?, ?, ?, ?)');
    this.insertWords = db.prepare('INSERT INTO words (rowid, text) VALUES (?, ?)');
    this.lastInBucket = db.prepare('SELECT max(rowid) AS last FROM blocks WHERE rowid >= ? AND rowid < ?').safeIntegers(true);
    this.sessionById = db.prepare('SELECT id, session_id, user, start_ms, order_ms FROM sessions WHERE id = ? AND ready = 1');
  }

  /** Opens (creating) `<dir>/text.sqlite`. UNSUPPORTED when better-sqlite3 is missing. */
  static open(dir: string): TextIndex {
    const Driver = loadDriver();
    const file = path.join(dir, TEXT_INDEX_FILE);
    let db: Database;
    try {
      db = new Driver(file, { timeout: BUSY_TIMEOUT_MS });
    } catch (err) {
      throw sqliteError(file, err);
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const version = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
      if (version && version.value !== SCHEMA_VERSION) {
        // Derived data of an older layout: start over (recordings are indexed again when needed).
        db.exec('BEGIN IMMEDIATE');
        db.exec('DROP TABLE IF EXISTS words; DROP TABLE IF EXISTS lines; DROP TABLE IF EXISTS blocks; DROP TABLE IF EXISTS sessions; DELETE FROM meta');
        db.exec('COMMIT');
      }
      db.exec(`
        CREATE TABLE IF NOT EXISTS sessions (
          id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, user TEXT NOT NULL, start_ms INTEGER NOT NULL,
          order_ms INTEGER NOT NULL, recording TEXT NOT NULL, path TEXT, lines INTEGER NOT NULL,
          min_rowid INTEGER, max_rowid INTEGER, ready INTEGER NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS sessions_ready ON sessions (session_id) WHERE ready = 1;
        CREATE INDEX IF NOT EXISTS sessions_id ON sessions (session_id);
        CREATE TABLE IF NOT EXISTS blocks (rowid INTEGER PRIMARY KEY, sid INTEGER NOT NULL, meta BLOB NOT NULL, text TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS blocks_sid ON blocks (sid);
        CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5 (text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
      `);
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
      return new TextIndex(db);
    } catch (err) {
      db.close();
      throw sqliteError(file, err);
    }
  }

  /** The indexed (searchable) session, or null. */
  session(sessionId: string): IndexedSession | null {
    const row = this.db.prepare('SELECT session_id, user, start_ms, recording, path, lines FROM sessions WHERE session_id = ? AND ready = 1').get(sessionId) as
      { session_id: string; user: string; start_ms: number; recording: string; path: string | null; lines: number } | undefined;
    return row ? toIndexedSession(row) : null;
  }

  /** Every searchable session. */
  sessions(): IndexedSession[] {
    const rows = this.db.prepare('SELECT session_id, user, start_ms, recording, path, lines FROM sessions WHERE ready = 1').all() as
      { session_id: string; user: string; start_ms: number; recording: string; path: string | null; lines: number }[];
    return rows.map(toIndexedSession);
  }

  /**
   * Starts indexing a session again. Lines of an unfinished earlier build of it (a process that
   * died) are dropped: the caller holds the session's build lock, so no one else is building it.
   */
  beginSession(sessionId: string, recording: RecordingStamp, file: string | null = null): SessionBuild {
    this.transaction(() => {
      const stale = this.db.prepare('SELECT id FROM sessions WHERE session_id = ? AND ready = 0').all(sessionId) as { id: number }[];
      for (const { id } of stale) this.deleteRows(id);
    });
    const sid = Number(this.db.prepare("INSERT INTO sessions (session_id, user, start_ms, order_ms, recording, path, lines, ready) VALUES (?, '', 0, 0, ?, ?, 0, 0)")
      .run(sessionId, JSON.stringify(recording), file).lastInsertRowid);
    return new SessionBuild(this, sessionId, sid);
  }

  /**
   * Replaces a session's lines. `fill` is called with an `add` function, adds every line and then
   * returns the session's user and start. Readers see the old lines until it is done.
   */
  async replaceSession(sessionId: string, recording: RecordingStamp,
    fill: (add: (line: ScreenLine, sessionStartMs?: number) => void) => Promise<{ user: string; startMs: number }>, file: string | null = null): Promise<number> {
    const build = this.beginSession(sessionId, recording, file);
    try {
      const info = await fill((line, startMs) => build.add(line, startMs ?? 0));
      return build.finish(info);
    } catch (err) {
      build.abort();
      throw err;
    }
  }

  /** Writes lines as blocks in one transaction; returns the rowids used. @internal */
  writeBlocks(sid: number, orderMs: number, lines: ScreenLine[]): { min: bigint; max: bigint } {
    // Blocks of consecutive lines, cut by count and time span.
    const groups: { start: number; end: number; minTime: number }[] = [];
    let start = 0;
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (let i = 0; i < lines.length; i++) {
      const t = Math.round(lines[i]!.timeMs);
      if (i > start && (i - start >= BLOCK_LINES || Math.max(maxTime, t) - Math.min(minTime, t) > BLOCK_SPAN_MS)) {
        groups.push({ start, end: i, minTime });
        start = i;
        minTime = Infinity;
        maxTime = -Infinity;
      }
      minTime = Math.min(minTime, t);
      maxTime = Math.max(maxTime, t);
    }
    groups.push({ start, end: lines.length, minTime });
    let min = -1n;
    let max = -1n;
    this.transaction(() => {
      const next = new Map<number, bigint>();
      const blocks: Block[] = [];
      for (const g of groups) {
        const rowid = this.allocate(next, orderMs + g.minTime);
        const meta = Buffer.allocUnsafe((g.end - g.start) * 16);
        const texts: string[] = [];
        for (let i = g.start; i < g.end; i++) {
          const line = lines[i]!;
          meta.writeDoubleLE(Math.round(line.timeMs), (i - g.start) * 16);
          meta.writeDoubleLE(line.eventIndex, (i - g.start) * 16 + 8);
          texts.push(line.text.replace(/\n/g, ' '));
        }
        blocks.push({ rowid, text: texts.join('\n'), meta });
      }
      // FTS5 writes a segment whenever a rowid goes backwards: insert in rowid order.
      blocks.sort((a, b) => (a.rowid < b.rowid ? -1 : a.rowid > b.rowid ? 1 : 0));
      for (const b of blocks) {
        this.insertBlock.run(b.rowid, sid, b.meta, b.text);
        this.insertWords.run(b.rowid, b.text);
      }
      min = blocks[0]!.rowid;
      max = blocks[blocks.length - 1]!.rowid;
    });
    return { min, max };
  }

  /** The next free rowid of the block's millisecond (or a later one when it is full). */
  private allocate(next: Map<number, bigint>, ms: number): bigint {
    let bucket = Math.max(0, Math.floor(ms));
    for (;;) {
      let rowid = next.get(bucket);
      if (rowid === undefined) {
        const base = firstRowid(bucket);
        const last = (this.lastInBucket.get(base, base + SLOTS) as { last: bigint | null }).last;
        rowid = last === null ? base : last + 1n;
      }
      if (rowid < firstRowid(bucket + 1)) {
        next.set(bucket, rowid + 1n);
        return rowid;
      }
      next.set(bucket, rowid);
      bucket++;
    }
  }

  /** Makes a finished build the session's searchable lines, dropping the previous ones. @internal */
  publish(sid: number, sessionId: string, info: { user: string; startMs: number; orderMs: number; lines: number; minRowid: bigint | null; maxRowid: bigint | null }): void {
    this.transaction(() => {
      const old = this.db.prepare('SELECT id FROM sessions WHERE session_id = ? AND ready = 1').get(sessionId) as { id: number } | undefined;
      if (old) this.deleteRows(old.id);
      this.db.prepare('UPDATE sessions SET user = ?, start_ms = ?, order_ms = ?, lines = ?, min_rowid = ?, max_rowid = ?, ready = 1 WHERE id = ?')
        .run(info.user, Math.round(info.startMs), Math.round(info.orderMs), info.lines, info.minRowid, info.maxRowid, sid);
    });
  }

  /** Drops a build's rows. @internal */
  dropSession(sid: number): void {
    this.transaction(() => this.deleteRows(sid));
  }

  private deleteRows(sid: number): void {
    this.db.prepare('DELETE FROM words WHERE rowid IN (SELECT rowid FROM blocks WHERE sid = ?)').run(sid);
    this.db.prepare('DELETE FROM blocks WHERE sid = ?').run(sid);
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(sid);
  }

  private transaction(body: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      body();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * Lines that contain the pattern, ordered by time (session start + offset). Blocks come in
   * rowid (= time) order, so reading stops once no later block can hold an earlier line than the
   * `limit` found so far.
   */
  search(pattern: string, options: SearchOptions = {}): SearchHit[] {
    const { match } = parsePattern(pattern);
    const matcher = lineMatcher(pattern);
    const limit = options.limit ?? 100;
    if (!(Number.isSafeInteger(limit) && limit > 0)) throw badParameter(`search limit must be a positive integer, got ${limit}`);
    let low = 0n;
    let high = (1n << 63n) - 1n;
    let only: SessionRow & { min_rowid: bigint | null; max_rowid: bigint | null } | undefined;
    if (options.sessionId !== undefined) {
      only = this.db.prepare('SELECT id, session_id, user, start_ms, order_ms, min_rowid, max_rowid FROM sessions WHERE session_id = ? AND ready = 1')
        .safeIntegers(true).get(options.sessionId) as typeof only;
      if (!only || only.min_rowid === null || only.max_rowid === null) return [];
      low = only.min_rowid;
      high = only.max_rowid;
      only = { ...only, id: Number(only.id), start_ms: Number(only.start_ms), order_ms: Number(only.order_ms) };
    }
    // A block's rowid says when its earliest line was; its lines span at most BLOCK_SPAN_MS.
    if (options.fromEpochMs !== undefined) low = bigMax(low, firstRowid(options.fromEpochMs - BLOCK_SPAN_MS));
    if (options.toEpochMs !== undefined) high = bigMin(high, firstRowid(options.toEpochMs + 1) - 1n);
    if (low > high) return [];
    const rows = this.db.prepare(`
      SELECT words.rowid AS rowid, b.sid AS sid, b.meta AS meta, b.text AS text
      FROM words JOIN blocks b ON b.rowid = words.rowid
      WHERE words MATCH ? AND words.rowid >= ? AND words.rowid <= ?
      ORDER BY words.rowid`).safeIntegers(true).iterate(match, low, high) as IterableIterator<{ rowid: bigint; sid: bigint; meta: Buffer; text: string }>;
    const sessions = new Map<number, SessionRow | null>();
    const hits: (SearchHit & { order: number; seq: number })[] = [];
    let seq = 0;
    for (const row of rows) {
      // Hits are kept sorted; the limit-th is the latest a further hit may be.
      if (hits.length >= limit && bucketOf(row.rowid) > hits[limit - 1]!.order) break;
      const sid = Number(row.sid);
      if (only && sid !== only.id) continue;
      let session = sessions.get(sid);
      if (session === undefined) {
        session = only ?? (this.sessionById.get(sid) as SessionRow | undefined) ?? null;
        sessions.set(sid, session);
      }
      if (!session) continue; // a build in progress, or an old one being replaced
      const texts = row.text.split('\n');
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i]!;
        const timeMs = row.meta.readDoubleLE(i * 16);
        // A line later than the limit-th hit so far cannot be in the answer: not matched at all.
        if (hits.length >= limit && session.order_ms + timeMs > hits[limit - 1]!.order) continue;
        if (!matcher.matches(text)) continue;
        if (options.fromMs !== undefined && timeMs < options.fromMs) continue;
        if (options.toMs !== undefined && timeMs > options.toMs) continue;
        const at = session.start_ms + timeMs;
        if (options.fromEpochMs !== undefined && at < options.fromEpochMs) continue;
        if (options.toEpochMs !== undefined && at > options.toEpochMs) continue;
        const hit = {
          sessionId: session.session_id, user: session.user, sessionStartMs: session.start_ms, timeMs,
          eventIndex: row.meta.readDoubleLE(i * 16 + 8), text, order: session.order_ms + timeMs, seq: seq++,
        };
        insertSorted(hits, hit, limit);
      }
    }
    return hits.map(({ order: _order, seq: _seq, ...hit }) => hit);
  }

  close(): void {
    this.db.close();
  }
}

function toIndexedSession(row: { session_id: string; user: string; start_ms: number; recording: string; path: string | null; lines: number }): IndexedSession {
  return { sessionId: row.session_id, user: row.user, startMs: row.start_ms, recording: JSON.parse(row.recording) as RecordingStamp, path: row.path, lines: row.lines };
}

function bigMax(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function bigMin(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Inserts by (order, seq), keeping at most `limit` entries. */
function insertSorted<T extends { order: number; seq: number }>(list: T[], item: T, limit: number): void {
  let i = list.length;
  while (i > 0 && (list[i - 1]!.order > item.order || list[i - 1]!.order === item.order && list[i - 1]!.seq > item.seq)) i--;
  if (i >= limit) return;
  list.splice(i, 0, item);
  if (list.length > limit) list.length = limit;
}
