// The CLI's side of the recording index: where it lives (<data-dir>/index), catching up on
// recordings not indexed yet before a grep answers, and session offsets as the commands read and
// print them. (Indexing right after record/import: index-on-completion.ts.)
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isPostgresUrl } from '../auditlog/postgres-config.js';
import { RecordingIndex } from '../index-store/recording-index.js';
import { auditTargets } from './audit-log.js';
import type { DataDir } from './data-dir.js';
import { UsageError } from './errors.js';
import { Progress, formatBytes } from './output.js';

/**
 * The data dir's recording index. Its text lines go where the audit log is searched: PostgreSQL
 * when the first --audit-url (or AUDITCAST_AUDIT_URL) is one, so a fleet shares one text index;
 * else SQLite in <data-dir>/index. Seek files stay local either way.
 */
export async function openRecordingIndex(data: DataDir, values: Record<string, unknown> = {}): Promise<RecordingIndex> {
  const dir = path.join(data.root, 'index');
  const url = textIndexUrl(data, values);
  if (!url) return new RecordingIndex({ dir });
  const { PgTextIndex } = await import('../index-store/pg-text-index.js');
  return new RecordingIndex({ dir, text: await PgTextIndex.open({ url }) });
}

/** The PostgreSQL URL the index's text lines go to, or undefined (SQLite in the index directory). */
export function textIndexUrl(data: DataDir, values: Record<string, unknown> = {}): string | undefined {
  const target = auditTargets(data, values)[0]!;
  return isPostgresUrl(target) ? target : undefined;
}

/** The <sid>.tar recordings of a directory (Teleport's layout and ours). */
async function recordingFilesIn(dir: string): Promise<{ sessionId: string; path: string }[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.tar')).sort().map((name) => ({ sessionId: name.slice(0, -4), path: path.join(dir, name) }));
}

/** Work this large says what it does on stderr even when that is not a terminal. */
const ANNOUNCE_BYTES = 16 * 1024 * 1024;

/**
 * Indexes what grep would otherwise miss: recordings of the data dir without a fresh index, and
 * indexed recordings (from `index --recordings`) that changed since. Says on stderr what it does
 * when that is long (a progress bar on a terminal); a recording that fails is one warning line.
 */
export async function catchUpIndex(index: RecordingIndex, data: DataDir, command: string): Promise<void> {
  const stale = await index.staleRecordings(await recordingFilesIn(data.records));
  if (stale.length === 0) return;
  const total = stale.reduce((n, r) => n + r.size, 0);
  const what = `${stale.length} recording${stale.length === 1 ? '' : 's'} not indexed yet (${formatBytes(total)})`;
  if (total >= ANNOUNCE_BYTES && !process.stderr.isTTY) process.stderr.write(`auditcast ${command}: indexing ${what} first\n`);
  const progress = new Progress(`auditcast ${command}: indexing ${what}`, total);
  let done = 0;
  try {
    for (const r of stale) {
      try {
        const result = await index.indexRecording(r.sessionId, r.path, { onProgress: (offset) => progress.update(done + offset) });
        if (result.header.error) process.stderr.write(`auditcast ${command}: session ${r.sessionId} indexed up to a problem: ${result.header.error}\n`);
      } catch (err) {
        process.stderr.write(`auditcast ${command}: session ${r.sessionId} not indexed: ${(err as Error).message}\n`);
      }
      done += r.size;
      progress.update(done);
    }
  } finally {
    progress.done();
  }
}

/** "90", "90.5", "1:30", "1:02:03", "1500ms", "90s", "2m" -> milliseconds since the session start. */
export function parseOffset(command: string, name: string, text: string): number {
  const t = text.trim();
  let m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(t);
  if (m) return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!);
  m = /^(?:(\d+):)?(\d+):(\d{1,2}(?:\.\d+)?)$/.exec(t);
  if (m && Number(m[3]) < 60) return Math.round(((Number(m[1] ?? 0) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000);
  throw new UsageError(`--${name}: cannot read ${JSON.stringify(text)} as a time in the session (use seconds like 90 or 90.5, mm:ss, hh:mm:ss, or 1500ms)`, command);
}

/** Milliseconds since the session start as mm:ss (h:mm:ss from an hour on). */
export function formatOffset(ms: number): string {
  const total = Math.floor(Math.max(0, ms) / 1000);
  const h = Math.floor(total / 3600);
  const mm = String(Math.floor(total / 60) % 60).padStart(2, '0');
  const ss = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
