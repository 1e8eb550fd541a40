// The CLI's audit log: lib/auditlog's FileLog in Teleport's layout. Events are written to
// <data>/log/<host-uuid>/<day>.log (host uuid kept in <data>/host_uuid, as Teleport keeps its own)
// with the events.log symlink in <data>/log; searches read every server directory under <data>/log.
import { randomUUID } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FileLog } from '../auditlog/file-log.js';
import { MaxScanTokenSize } from '../auditlog/constants.js';
import { eventJsonLine, trimToMaxSize } from '../auditlog/event-json.js';
import { logFileName } from '../auditlog/file-time.js';
import type { AuditEventInput } from '../events/event.js';
import { Timestamp } from '../events/timestamp.js';
import { isUuid } from '../uploads/ids.js';
import type { DataDir } from './data-dir.js';

/** Directories under log/ that are not servers' event directories (Teleport skips the same). */
const NOT_SERVER_DIRS = new Set(['playbacks', 'upload', 'records']);

async function hostUuid(data: DataDir): Promise<string> {
  const file = path.join(data.root, 'host_uuid');
  try {
    const id = (await fs.readFile(file, 'utf8')).trim();
    if (isUuid(id)) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  await fs.mkdir(data.root, { recursive: true });
  await fs.writeFile(file, `${id}\n`, { mode: 0o600 });
  return id;
}

async function serverDirs(data: DataDir): Promise<string[]> {
  try {
    const entries = await fs.readdir(data.log, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && !NOT_SERVER_DIRS.has(e.name)).map((e) => path.join(data.log, e.name)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The audit log for writing (creates the host uuid) and searching. */
export async function openAuditLog(data: DataDir): Promise<FileLog> {
  const id = await hostUuid(data);
  return new FileLog({ dir: path.join(data.log, id), symlinkDir: data.log, searchDirs: () => serverDirs(data) });
}

/** The audit log for searching only: nothing is created. */
export function openAuditLogForSearch(data: DataDir): FileLog {
  return new FileLog({ dir: path.join(data.log, 'search'), symlinkDir: data.log, searchDirs: () => serverDirs(data) });
}

/**
 * Writes an imported session's non-print events to the audit log, each into the daily file of its
 * own time (an import of a 2019 session is found by a search of 2019), and replaces an event
 * already there with the same uid (import ids are derived from the input), so importing again
 * never duplicates a line. A day file is rewritten (temp file + rename) only when a line of it is
 * replaced; otherwise the new lines are appended.
 */
export async function emitSessionAuditEvents(data: DataDir, events: readonly AuditEventInput[]): Promise<void> {
  const dir = path.join(data.log, await hostUuid(data));
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
    const kept = existing.split('\n').filter((l) => l !== '' && !uids.has(uidOf(l)));
    const added = lines.map((l) => l.line);
    if (existing !== '' && kept.length < existing.split('\n').filter((l) => l !== '').length) {
      const temp = `${file}.${randomUUID()}.tmp`;
      await fs.writeFile(temp, [...kept, ...added].map((l) => `${l}\n`).join(''), { flag: 'wx', mode: 0o640 });
      await fs.rename(temp, file);
    } else {
      await fs.appendFile(file, added.map((l) => `${l}\n`).join(''), { mode: 0o640 });
    }
  }
}

/** Last second a JS Date (and so a daily file name) can hold. */
const MAX_DATE_SECONDS = 8.64e12;

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
