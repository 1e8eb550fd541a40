// The CLI's audit log: lib/auditlog's FileLog in Teleport's layout. Events are written to
// <data>/log/<host-uuid>/<day>.log (host uuid kept in <data>/host_uuid, as Teleport keeps its own)
// with the events.log symlink in <data>/log; searches read every server directory under <data>/log.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { FileLog } from '../auditlog/file-log.js';
import type { AuditEventInput } from '../events/event.js';
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

/** Writes a session's non-print events to the audit log, as Teleport's auth server does. */
export async function emitSessionAuditEvents(data: DataDir, events: readonly AuditEventInput[]): Promise<void> {
  const log = await openAuditLog(data);
  try {
    for (const event of events) await log.emitAuditEvent(event);
  } finally {
    await log.close();
  }
}
