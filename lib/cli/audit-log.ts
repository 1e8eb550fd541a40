// The CLI's audit log: the data dir's file log (Teleport's layout, see lib/auditlog/open-audit-log.ts)
// unless --audit-url (repeatable) or AUDITCAST_AUDIT_URL (comma-separated) names others, such as a
// shared PostgreSQL (postgres://...); with several, events go to each and searches read the first.
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MaxScanTokenSize } from '../auditlog/constants.js';
import { eventJsonLine, trimToMaxSize } from '../auditlog/event-json.js';
import { logFileName } from '../auditlog/file-time.js';
import { isPostgresUrl } from '../auditlog/postgres-config.js';
import { Timestamp } from '../events/timestamp.js';
import type { AuditLogger } from '../auditlog/multi-log.js';
import type { AuditEventInput } from '../events/event.js';
import { stringList } from './args.js';
import type { DataDir } from './data-dir.js';

/** Loaded only when a log is opened: a command that only declares --audit-url does not load pg. */
const opener = () => import('../auditlog/open-audit-log.js');

export const AUDIT_URL_OPTION = { 'audit-url': { type: 'string', multiple: true } } as const;
export const AUDIT_URL_HELP: [string, string] = [
  '--audit-url URL',
  'audit log: postgres://USER:PASS@HOST/DB (Teleport\'s schema) or a data dir; repeat to write to several, the first is searched (default $AUDITCAST_AUDIT_URL, else the data dir)',
];

/** Where the audit log is: --audit-url values, else AUDITCAST_AUDIT_URL, else the data dir. */
export function auditTargets(data: DataDir, values: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string[] {
  const given = stringList(values, 'audit-url');
  if (given.length > 0) return given;
  const fromEnv = (env.AUDITCAST_AUDIT_URL ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return fromEnv.length > 0 ? fromEnv : [data.root];
}

/** The audit log for writing (creates the data dir's host uuid when the data dir is a target). */
export async function openAuditLog(data: DataDir, values: Record<string, unknown> = {}): Promise<AuditLogger> {
  return (await opener()).openAuditLog(auditTargets(data, values));
}

/** The audit log for searching only: nothing is created. */
export async function openAuditLogForSearch(data: DataDir, values: Record<string, unknown> = {}): Promise<AuditLogger> {
  return (await opener()).openAuditLog(auditTargets(data, values), { forSearch: true });
}

/**
 * Writes an imported session's non-print events to the audit log. In a data dir each goes into the
 * daily file of its own time (an import of a 2019 session is found by a search of 2019), replacing
 * an event already there with the same uid (import ids are derived from the input), so importing
 * again never duplicates a line. In PostgreSQL each row's event_id is derived from the row, so an
 * event imported again is the same row and is not inserted twice.
 */
export async function emitSessionAuditEvents(data: DataDir, events: readonly AuditEventInput[], values: Record<string, unknown> = {}): Promise<void> {
  for (const target of auditTargets(data, values)) {
    if (isPostgresUrl(target)) {
      const { PostgresLog } = await import('../auditlog/postgres-log.js');
      const log = await PostgresLog.open({ url: target });
      try {
        await Promise.all(events.map((event) => log.importAuditEvent(event)));
      } finally {
        await log.close();
      }
      continue;
    }
    const root = path.resolve(target.startsWith('file://') ? fileURLToPath(target) : target);
    const log = await (await opener()).openDataDirLog(root);
    try {
      await writeByEventDay(log.dir, events);
    } finally {
      await log.close();
    }
  }
}

/** Last second a JS Date (and so a daily file name) can hold. */
const MAX_DATE_SECONDS = 8.64e12;

async function writeByEventDay(dir: string, events: readonly AuditEventInput[]): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o750 });
  const byDay = new Map<string, { uid: string; line: string }[]>();
  for (const event of events) {
    const time = Timestamp.from(event.Metadata?.Time ?? null);
    const ms = time.isZero() || Math.abs(time.seconds) > MAX_DATE_SECONDS ? Date.now() : time.toMillis();
    const file = path.join(dir, logFileName(ms));
    let line = eventJsonLine(event);
    if (Buffer.byteLength(line) > MaxScanTokenSize) line = eventJsonLine(trimToMaxSize(event, MaxScanTokenSize));
    const list = byDay.get(file) ?? [];
    list.push({ uid: event.Metadata?.ID ?? '', line });
    byDay.set(file, list);
  }
  for (const [file, lines] of byDay) {
    const uids = new Set(lines.map((l) => l.uid).filter((uid) => uid !== ''));
    let existing = '';
    try {
      const handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
      try {
        existing = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const present = existing.split('\n').filter((l) => l !== '');
    const kept = present.filter((l) => !uids.has(uidOf(l)));
    const added = lines.map((l) => l.line);
    if (kept.length < present.length) {
      // A line is replaced: the day file is rewritten whole and renamed into place.
      const temp = `${file}.${randomUUID()}.tmp`;
      await fs.writeFile(temp, [...kept, ...added].map((l) => `${l}\n`).join(''), { flag: 'wx', mode: 0o640 });
      await fs.rename(temp, file);
    } else {
      await fs.appendFile(file, added.map((l) => `${l}\n`).join(''), { mode: 0o640 });
    }
  }
}

/** The uid of an audit log line ('' when it has none or is not JSON). */
function uidOf(line: string): string {
  if (!line.includes('"uid"')) return '';
  try {
    const uid = (JSON.parse(line) as { uid?: unknown }).uid;
    return typeof uid === 'string' ? uid : '';
  } catch {
    return '';
  }
}
