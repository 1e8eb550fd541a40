// The CLI's audit log: the data dir's file log (Teleport's layout, see lib/auditlog/open-audit-log.ts)
// unless --audit-url (repeatable) or AUDITCAST_AUDIT_URL (comma-separated) names others, such as a
// shared PostgreSQL (postgres://...); with several, events go to each and searches read the first.
import { openAuditLog as openTargets } from '../auditlog/open-audit-log.js';
import type { AuditLogger } from '../auditlog/multi-log.js';
import type { AuditEventInput } from '../events/event.js';
import { stringList } from './args.js';
import type { DataDir } from './data-dir.js';

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
export function openAuditLog(data: DataDir, values: Record<string, unknown> = {}): Promise<AuditLogger> {
  return openTargets(auditTargets(data, values));
}

/** The audit log for searching only: nothing is created. */
export function openAuditLogForSearch(data: DataDir, values: Record<string, unknown> = {}): Promise<AuditLogger> {
  return openTargets(auditTargets(data, values), { forSearch: true });
}

/** Writes a session's non-print events to the audit log, as Teleport's auth server does. */
export async function emitSessionAuditEvents(data: DataDir, events: readonly AuditEventInput[], values: Record<string, unknown> = {}): Promise<void> {
  const log = await openAuditLog(data, values);
  try {
    for (const event of events) await log.emitAuditEvent(event);
  } finally {
    await log.close?.();
  }
}
