// The CLI's side of the recording index: where it lives (<data-dir>/index), indexing a recording
// right after a command wrote it (a failure there is one warning line, never a failed command), and
// session offsets as the commands read and print them.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isPostgresUrl } from '../auditlog/postgres-config.js';
import { RecordingIndex } from '../index-store/recording-index.js';
import { auditTargets } from './audit-log.js';
import type { DataDir } from './data-dir.js';
import { UsageError } from './errors.js';

/**
 * The data dir's recording index. Its text lines go where the audit log is searched: PostgreSQL
 * when the first --audit-url (or AUDITCAST_AUDIT_URL) is one, so a fleet shares one text index;
 * else SQLite in <data-dir>/index. Seek files stay local either way.
 */
export async function openRecordingIndex(data: DataDir, values: Record<string, unknown> = {}): Promise<RecordingIndex> {
  const dir = path.join(data.root, 'index');
  const target = auditTargets(data, values)[0]!;
  if (!isPostgresUrl(target)) return new RecordingIndex({ dir });
  const { PgTextIndex } = await import('../index-store/pg-text-index.js');
  return new RecordingIndex({ dir, text: await PgTextIndex.open({ url: target }) });
}

/** Recordings up to this size are indexed as the command that wrote them ends (a few seconds at most). */
const INDEX_ON_COMPLETION_MAX_BYTES = 32 * 1024 * 1024;

/** Indexes a recording just completed; says on stderr what went wrong instead of failing. */
export async function indexCompletedRecording(data: DataDir, sessionId: string, file: string, eol = '\n', values: Record<string, unknown> = {}): Promise<void> {
  const size = (await fs.stat(file).catch(() => null))?.size ?? 0;
  if (size > INDEX_ON_COMPLETION_MAX_BYTES) {
    process.stderr.write(`auditcast: session ${sessionId} is large (${Math.round(size / 2 ** 20)} MiB): index it with 'auditcast index ${sessionId}'${eol}`);
    return;
  }
  let index: RecordingIndex | undefined;
  try {
    index = await openRecordingIndex(data, values);
    const result = await index.indexRecording(sessionId, file);
    if (result.header.error) process.stderr.write(`auditcast: indexed session ${sessionId} up to a problem: ${result.header.error}${eol}`);
  } catch (err) {
    process.stderr.write(`auditcast: session ${sessionId} not indexed: ${(err as Error).message}${eol}`);
  } finally {
    await index?.close();
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
