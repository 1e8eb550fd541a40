// A console data dir made of real data: the 165 golden Teleport events (plus one whose user is an
// HTML payload) in daily log files, and the corpus sessions recorded as Teleport recordings.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logFileName } from '../../lib/auditlog/file-time.js';
import { eventJsonLine } from '../../lib/auditlog/event-json.js';
import type { AuditEvent, AuditEventInput } from '../../lib/events/event.js';
import { fromEventFields } from '../../lib/events/event-fields.js';
import { chunksToPrints, loadScriptSession, SHARED } from '../helpers/corpus.js';
import { recordEvents } from '../helpers/recording.js';

export const XSS_USER = '<img src=x onerror=alert(1)>';
export const TYPING_SID = '5b1a3c7e-0d4f-4b7e-9a51-0c2d9e6f7a10';
export const BUILD_SID = '9c2e4f60-1a3b-4c5d-8e7f-a0b1c2d3e4f5';
/** Sessions start here; the golden events are years earlier. */
export const SESSION_START_MS = Date.UTC(2026, 0, 2, 10, 0, 0);

export function goldenEvents(): Record<string, unknown>[] {
  return readFileSync(join(SHARED, 'fixtures', 'teleport-golden', 'audit-events.golden.jsonl'), 'utf8')
    .trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((g) => !g.skipped).map((g) => g.json_back as Record<string, unknown>);
}

function appendEvent(logDir: string, event: AuditEventInput | AuditEvent): void {
  const line = eventJsonLine(event as AuditEventInput);
  const ms = Date.parse((JSON.parse(line) as { time: string }).time);
  appendFileSync(join(logDir, logFileName(ms)), `${line}\n`);
}

function meta(type: string, code: string, index: number, ms: number, uid: string) {
  return { event: type, code, ei: index, time: new Date(ms).toISOString(), uid };
}

/** session.start, the corpus prints, a resize, a join and a leave, session.end. */
export function sessionEvents(name: 'typing' | 'build', sid: string, startMs: number): AuditEvent[] {
  const prints = chunksToPrints(loadScriptSession(name).chunks, startMs, 1);
  const lastMs = prints[prints.length - 1]!.Metadata.Time.toMillis();
  const mid = prints[Math.floor(prints.length / 2)]!;
  const midMs = mid.Metadata.Time.toMillis();
  const common = { sid, user: 'alice', server_hostname: 'node-1', server_id: 'b1c2', namespace: 'default', login: 'root' };
  const start = fromEventFields({ ...meta('session.start', 'T2000I', 0, startMs, `${sid.slice(0, 8)}-start`), ...common, size: '80:24' });
  const join = fromEventFields({ ...meta('session.join', 'T2001I', 0, midMs, `${sid.slice(0, 8)}-join`), ...common, user: 'bob' });
  const leave = fromEventFields({ ...meta('session.leave', 'T2003I', 0, midMs, `${sid.slice(0, 8)}-leave`), ...common, user: 'bob' });
  const resize = fromEventFields({ ...meta('resize', 'T2002I', 0, midMs, `${sid.slice(0, 8)}-resize`), ...common, size: '100:30' });
  const end = fromEventFields({
    ...meta('session.end', 'T2004I', 0, lastMs, `${sid.slice(0, 8)}-end`), ...common,
    session_start: new Date(startMs).toISOString(), session_stop: new Date(lastMs).toISOString(), participants: ['alice', 'bob'],
  });
  const half = Math.floor(prints.length / 2);
  const events = [start, ...prints.slice(0, half), join, resize, ...prints.slice(half, half + 3), leave, ...prints.slice(half + 3), end];
  events.forEach((e, i) => { e.Metadata.Index = i; });
  return events;
}

export interface ConsoleData {
  root: string;
  logDir: string;
  recordsDir: string;
  golden: Record<string, unknown>[];
  cleanup(): void;
}

export async function makeConsoleData(): Promise<ConsoleData> {
  const root = mkdtempSync(join(tmpdir(), 'auditcast-console-'));
  const logDir = join(root, 'log', 'host-1');
  const recordsDir = join(root, 'records');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(recordsDir, { recursive: true });
  const golden = goldenEvents();
  for (const fields of golden) appendEvent(logDir, fromEventFields(fields));
  appendEvent(logDir, fromEventFields({
    ...meta('user.login', 'T1000I', 0, Date.UTC(2021, 5, 1, 12, 0, 0), 'xss-login-0001'), user: XSS_USER, method: 'local', success: true,
  }));
  // The typing session has its session.end in the log; the build session only its recording.
  const typing = sessionEvents('typing', TYPING_SID, SESSION_START_MS);
  for (const e of typing) if (e.Metadata.Type !== 'print') appendEvent(logDir, e);
  writeFileSync(join(recordsDir, `${TYPING_SID}.tar`), await recordEvents(typing, 64 * 1024, TYPING_SID));
  const build = sessionEvents('build', BUILD_SID, SESSION_START_MS + 3600_000);
  writeFileSync(join(recordsDir, `${BUILD_SID}.tar`), await recordEvents(build.filter((e) => e.Metadata.Type !== 'session.end'), 64 * 1024, BUILD_SID));
  return { root, logDir, recordsDir, golden, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
