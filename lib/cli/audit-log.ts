// The CLI's access to the audit log in <data>/log (lib/auditlog's FileLog).
//
// lib/auditlog lands on its own branch; until it is merged into this build it is loaded lazily,
// and commands that need it say clearly that it is missing instead of failing obscurely.
import type { AuditEvent, AuditEventInput } from '../events/event.js';
import { CliError } from './errors.js';
import type { DataDir } from './data-dir.js';

export interface SearchQuery {
  from: Date;
  to: Date;
  eventTypes?: string[];
  limit?: number;
  order?: 'asc' | 'desc';
}

export interface CliAuditLog {
  emitAuditEvent(event: AuditEventInput): Promise<void>;
  searchEvents(query: SearchQuery): AsyncIterable<AuditEvent | Record<string, unknown>>;
  close(): Promise<void>;
}

interface FileLogModule {
  FileLog: new (options: { dir: string }) => {
    emitAuditEvent(event: AuditEventInput): Promise<void>;
    searchEvents(query: SearchQuery): unknown;
    close?(): Promise<void>;
  };
}

const CANDIDATES = ['../auditlog/index.js', '../auditlog/file-log.js'];

async function loadFileLog(): Promise<FileLogModule | null> {
  for (const specifier of CANDIDATES) {
    try {
      const mod = (await import(specifier)) as Partial<FileLogModule>;
      if (typeof mod.FileLog === 'function') return mod as FileLogModule;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ERR_MODULE_NOT_FOUND') throw err;
    }
  }
  return null;
}

async function* iterate(result: unknown): AsyncGenerator<AuditEvent | Record<string, unknown>> {
  const awaited = await result;
  if (awaited && typeof (awaited as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
    for await (const e of awaited as AsyncIterable<AuditEvent>) yield e;
    return;
  }
  if (awaited && Array.isArray((awaited as { events?: unknown }).events)) {
    for (const e of (awaited as { events: AuditEvent[] }).events) yield e;
    return;
  }
  if (Array.isArray(awaited)) for (const e of awaited as AuditEvent[]) yield e;
}

/** Opens the audit log, or null when this build has no lib/auditlog. */
export async function openAuditLog(data: DataDir): Promise<CliAuditLog | null> {
  const mod = await loadFileLog();
  if (!mod) return null;
  const log = new mod.FileLog({ dir: data.log });
  return {
    emitAuditEvent: (event) => log.emitAuditEvent(event),
    searchEvents: (query) => iterate(log.searchEvents(query)),
    close: async () => { await log.close?.(); },
  };
}

export async function requireAuditLog(data: DataDir): Promise<CliAuditLog> {
  const log = await openAuditLog(data);
  if (!log) throw new CliError('the audit log (lib/auditlog FileLog) is not part of this build');
  return log;
}

/** Writes a session's non-print events to the audit log, as Teleport's auth server does. */
export async function emitSessionAuditEvents(data: DataDir, events: readonly AuditEventInput[]): Promise<boolean> {
  const log = await openAuditLog(data);
  if (!log) return false;
  try {
    for (const event of events) await log.emitAuditEvent(event);
  } finally {
    await log.close();
  }
  return true;
}
