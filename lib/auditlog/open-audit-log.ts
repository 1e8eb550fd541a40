// openAuditLog: one way to get an audit log from what a user writes: a postgres:// URL (PostgresLog,
// shared by many recorders) or a data dir (FileLog in Teleport's layout: events to
// <dir>/log/<host-uuid>/<day>.log, host uuid kept in <dir>/host_uuid, searches over every server's
// directory under <dir>/log). Several targets write to all and search the first (MultiLog), as
// Teleport does with several audit_events_uri.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { badParameter } from '../errors.js';
import { isUuid } from '../uploads/ids.js';
import { PlaybackDir, RecordsDir } from './constants.js';
import { FileLog } from './file-log.js';
import { type AuditLogger, MultiLog } from './multi-log.js';
import { isPostgresUrl, type PostgresLogOptions } from './postgres-config.js';

export interface OpenAuditLogOptions {
  /** Only searching: a data dir gets no host uuid and no files. */
  forSearch?: boolean;
  /** Extra PostgresLog options (timeouts, pool size) for postgres:// targets. */
  postgres?: Omit<PostgresLogOptions, 'url'>;
}

/** Directories under log/ that are not servers' event directories (Teleport skips the same). */
const NOT_SERVER_DIRS = new Set([PlaybackDir, 'upload', RecordsDir]);

async function hostUuid(root: string): Promise<string> {
  const file = path.join(root, 'host_uuid');
  try {
    const id = (await fs.readFile(file, 'utf8')).trim();
    if (isUuid(id)) return id;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const id = randomUUID();
  await fs.mkdir(root, { recursive: true });
  await fs.writeFile(file, `${id}\n`, { mode: 0o600 });
  return id;
}

/** Every server's event directory under logDir, sorted. */
export async function serverLogDirs(logDir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(logDir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && !NOT_SERVER_DIRS.has(e.name)).map((e) => path.join(logDir, e.name)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The file log of a data dir (root of host_uuid, log/, records/). */
export async function openDataDirLog(root: string, options: { forSearch?: boolean } = {}): Promise<FileLog> {
  const logDir = path.join(root, 'log');
  // a search-only log never writes, so its own directory name does not matter
  const id = options.forSearch ? 'search' : await hostUuid(root);
  return new FileLog({ dir: path.join(logDir, id), symlinkDir: logDir, searchDirs: () => serverLogDirs(logDir) });
}

async function openOne(target: string, options: OpenAuditLogOptions): Promise<AuditLogger> {
  if (typeof target !== 'string' || target === '') throw badParameter('an audit log target is a postgres:// URL or a data dir path');
  // Loaded only when asked for: pg takes longer to load than a short `record` takes to run.
  if (isPostgresUrl(target)) return (await import('./postgres-log.js')).PostgresLog.open({ ...options.postgres, url: target });
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !target.startsWith('file://')) {
    throw badParameter(`audit log ${JSON.stringify(target.replace(/:[^:@/]*@/, ':***@'))}: unsupported scheme (use postgres://, file:// or a directory)`);
  }
  const dir = target.startsWith('file://') ? fileURLToPath(target) : target;
  return openDataDirLog(path.resolve(dir), options);
}

/** Opens the audit log at `target` (or all of `targets`: writes go to each, searches to the first). */
export async function openAuditLog(target: string | readonly string[], options: OpenAuditLogOptions = {}): Promise<AuditLogger> {
  const targets = typeof target === 'string' ? [target] : [...target];
  if (targets.length === 0) throw badParameter('openAuditLog needs at least one target');
  const logs: AuditLogger[] = [];
  try {
    for (const t of targets) logs.push(await openOne(t, options));
  } catch (err) {
    await Promise.allSettled(logs.map((l) => l.close?.()));
    throw err;
  }
  return logs.length === 1 ? logs[0]! : new MultiLog(...logs);
}
