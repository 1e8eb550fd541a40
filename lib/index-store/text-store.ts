// Where the lines of screen text are kept and searched: the one interface RecordingIndex uses. Two
// stores implement it: TextIndex (SQLite FTS5 in the index dir, the embedded default) and
// PgTextIndex (tables in the PostgreSQL that holds the audit log, so a fleet has one index). Both
// answer a pattern with the same hits (lib/index-store/text-match.ts states what matches).
import type { ScreenLine } from '../screen/screen-model.js';
import type { RecordingStamp } from './seek-file.js';
import type { IndexedSession, SearchHit, SearchOptions } from './text-index.js';

export interface TextStore {
  /** What is indexed of a session, or null. */
  session(sessionId: string): IndexedSession | null | Promise<IndexedSession | null>;
  /** Every indexed session (a store that cannot list them cheaply leaves it out). */
  sessions?(): IndexedSession[] | Promise<IndexedSession[]>;
  /**
   * Replaces a session's lines (never two copies, even when two indexers race): `fill` adds every
   * line (with the session start in epoch ms, once known, for stores that order lines by it), then
   * returns the session's user and start; readers see the old lines or the new ones. `file` is the
   * recording indexed, kept for noticing later that it changed.
   */
  replaceSession(sessionId: string, recording: RecordingStamp,
    fill: (add: (line: ScreenLine, sessionStartMs?: number) => void) => Promise<{ user: string; startMs: number }>, file?: string | null): Promise<number>;
  /** Lines that contain the pattern, ordered by time (session start + offset), then as indexed. */
  search(pattern: string, options?: SearchOptions): SearchHit[] | Promise<SearchHit[]>;
  close(): void | Promise<void>;
}
